import { describeFailure } from '../cli/failure.ts';
import { runDemo } from './run.ts';

// `pnpm demo [--once]`: thin entry like bin.ts. runDemo reports its own failures; anything that
// still escapes is one line too, never a stack trace.
process.exitCode = await runDemo(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  env: process.env,
  cwd: process.cwd(),
}).catch((err: unknown) => {
  console.error(`demo failed: ${describeFailure(err)}`);
  return 1;
});
