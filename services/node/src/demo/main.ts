import { runDemo } from './run.ts';

// `pnpm demo [--once]`: thin entry like bin.ts.
process.exitCode = await runDemo(process.argv.slice(2), {
  out: (line) => console.log(line),
  err: (line) => console.error(line),
  env: process.env,
  cwd: process.cwd(),
});
