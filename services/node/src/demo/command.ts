import { defineCommand } from '../cli/args.ts';

/** `pnpm demo` / `bridge demo`: its options and help. */
export const demoCommand = defineCommand({
  usage: ['bridge demo [--once]', 'pnpm demo [--once]'],
  description: `Starts two nodes, Atina (Belgrade) and PVPT (Prishtina), each on its own embedded PostgreSQL in a
temporary directory, onboards them to each other, exchanges referrals, takes one through its whole
lifecycle (received → accepted → in-progress → completed) and prints both timelines.`,
  options: {
    once: { type: 'boolean', description: 'exit after the scenario and remove everything it created (default: keep running until Ctrl-C)' },
  },
});
