import type { NodeContext } from '../../context.ts';
import { registerAddressRateLimit } from '../../http/rate-limit.ts';
import type { App } from '../types.ts';
import { getJwksRoute } from './get-jwks.ts';
import { getNodeMetadataRoute } from './get-node-metadata.ts';
import { receiveMessageRoute } from './receive-message.ts';
import { requestAuditCheckpointRoute } from './request-audit-checkpoint.ts';
import { submitAuditCosignatureRoute } from './submit-audit-cosignature.ts';

/** Other nodes: messages are authenticated by their signatures, so there is no bearer auth here. */
export async function federationPlugin(app: App, { ctx }: { ctx: NodeContext }): Promise<void> {
  // Only compact JOSE is accepted here; anything else is 415 before any parsing.
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/jose', { parseAs: 'string', bodyLimit: ctx.config.messageMaxBytes }, (_request, body, done) => done(null, body));
  await registerAddressRateLimit(app);
  for (const route of [receiveMessageRoute, getNodeMetadataRoute, getJwksRoute, requestAuditCheckpointRoute, submitAuditCosignatureRoute]) route(app, ctx);
}
