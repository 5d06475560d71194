/** `pnpm generate`: writes the generated contract files (types, operation table, the guide's scope table). */
import { mkdir, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { generateContractFiles, repoRoot } from './codegen.ts';

const files = await generateContractFiles();
for (const [relative, content] of Object.entries(files)) {
  const target = join(repoRoot, relative);
  await mkdir(dirname(target), { recursive: true });
  await writeFile(target, content, 'utf8');
  console.log(`wrote ${relative}`);
}
