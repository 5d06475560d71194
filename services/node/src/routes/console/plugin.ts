import { consoleDistDir } from '@bridge/console';
import type { NodeContext } from '../../context.ts';
import type { App } from '../types.ts';
import { loadConsoleBundle } from './bundle.ts';
import { getConsoleRoute } from './get-console.ts';
import { getConsoleAssetRoute } from './get-console-asset.ts';
import { getConsolePageRoute } from './get-console-page.ts';

/**
 * The web console: `/console/`, its pages and its build files, all static and unauthenticated. The
 * console calls the node's own operations with the person's session; it belongs on the private listener.
 */
export async function consolePlugin(app: App, _options: { ctx: NodeContext }): Promise<void> {
  const bundle = loadConsoleBundle(consoleDistDir);
  getConsoleRoute(app, bundle);
  getConsolePageRoute(app, bundle);
  getConsoleAssetRoute(app, bundle);
}
