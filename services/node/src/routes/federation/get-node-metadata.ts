import { CONTRACT_VERSION, NodeMetadata, operations } from '@bridge/contract';
import type { RouteModule } from '../types.ts';

const op = operations.getNodeMetadata;

export const getNodeMetadataRoute: RouteModule = (app, ctx) => {
  const { config } = ctx;
  const metadata: NodeMetadata = {
    nodeId: config.nodeId,
    name: config.name,
    jurisdiction: config.jurisdiction,
    contractVersions: [CONTRACT_VERSION],
    urls: {
      api: config.publicUrl,
      messages: `${config.publicUrl}${operations.receiveMessage.path}`,
      jwks: `${config.publicUrl}${operations.getJwks.path}`,
    },
  };
  app.route({ method: op.method, url: op.fastifyPath, schema: { response: { 200: NodeMetadata } }, handler: async () => metadata });
};
