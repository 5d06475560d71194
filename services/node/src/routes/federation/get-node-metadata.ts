import { NodeMetadata, operations } from '@bridge/contract';
import { nodeMetadata } from '../../federation/metadata.ts';
import type { RouteModule } from '../types.ts';

const op = operations.getNodeMetadata;

export const getNodeMetadataRoute: RouteModule = (app, ctx) => {
  const metadata = nodeMetadata(ctx.config);
  app.route({ method: op.method, url: op.fastifyPath, schema: { response: { 200: NodeMetadata } }, handler: async () => metadata });
};
