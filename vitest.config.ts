import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['apps/*/src/**/*.test.ts', 'packages/*/src/**/*.test.ts', 'packages/*/tests/**/*.test.ts', 'services/*/src/**/*.test.ts', 'services/*/tests/**/*.test.ts'],
    globalSetup: ['./services/node/tests/support/global-setup.ts'],
    testTimeout: 60_000,
    hookTimeout: 120_000,
  },
});
