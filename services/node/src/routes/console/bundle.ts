import { readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join } from 'node:path';
import { BridgeError } from '../../errors.ts';

/**
 * The console's Content-Security-Policy: only this node's own files, no inline script or style, no eval,
 * no plugins, no framing, no <base>. The build inlines nothing (vite.config.ts), so nothing needs a nonce.
 */
export const CONSOLE_CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "font-src 'self'",
  "connect-src 'self'",
  "manifest-src 'self'",
  "object-src 'none'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
].join('; ');

/** Sent with every console response. */
export const CONSOLE_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONSOLE_CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'x-frame-options': 'DENY',
};

const TYPES: Record<string, string> = {
  '.js': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.woff2': 'font/woff2',
};

export interface ConsoleAssetFile {
  body: Buffer;
  type: string;
}

/** The built console, read once when the node starts: a few small files, served from memory. */
export interface ConsoleBundle {
  indexHtml: string;
  assets: ReadonlyMap<string, ConsoleAssetFile>;
}

/** The build in `dir`, or undefined when the console was not built (the routes then answer 503). */
export function loadConsoleBundle(dir: string): ConsoleBundle | undefined {
  let indexHtml: string;
  try {
    indexHtml = readFileSync(join(dir, 'index.html'), 'utf8');
  } catch {
    return undefined;
  }
  const assets = new Map<string, ConsoleAssetFile>();
  const assetDir = join(dir, 'assets');
  let names: string[] = [];
  try {
    names = readdirSync(assetDir);
  } catch {
    // a build without assets has nothing more to serve
  }
  for (const name of names) {
    const type = TYPES[extname(name)];
    const path = join(assetDir, name);
    if (type && statSync(path).isFile()) assets.set(name, { body: readFileSync(path), type });
  }
  return { indexHtml, assets };
}

export function requireBundle(bundle: ConsoleBundle | undefined): ConsoleBundle {
  if (!bundle) throw new BridgeError(503, 'not_ready', 'the console was not built when the node was installed; install again to build it');
  return bundle;
}
