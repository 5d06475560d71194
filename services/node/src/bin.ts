import { createInterface } from 'node:readline/promises';
import { main } from './cli/main.ts';

// Thin entry: real process, real terminal. Everything else is importable and testable.
const io = {
  out: (line: string) => console.log(line),
  err: (line: string) => console.error(line),
  prompt: process.stdin.isTTY
    ? async (question: string) => {
        const rl = createInterface({ input: process.stdin, output: process.stdout });
        try {
          return await rl.question(question);
        } finally {
          rl.close();
        }
      }
    : undefined,
  env: process.env,
  cwd: process.env.INIT_CWD ?? process.cwd(),
};
process.exitCode = await main(process.argv.slice(2), io);
