import { fileURLToPath } from 'node:url';

/**
 * Where `vite build` (run by `pnpm install`) writes the console: the node serves this folder at
 * /console/. Node-side only; the app itself lives in src/.
 */
export const consoleDistDir = fileURLToPath(new URL('./dist/', import.meta.url));
