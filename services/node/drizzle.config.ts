import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './services/node/src/db/schema/*.ts',
  out: './migrations',
});
