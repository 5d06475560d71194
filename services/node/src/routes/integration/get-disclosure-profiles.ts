import { DisclosureProfiles, disclosureProfiles, operations, Problem } from '@bridge/contract';
import type { RouteModule } from '../types.ts';

const op = operations.getDisclosureProfiles;

/** The contract's profiles, so a case system can see which fields each service takes. */
export const getDisclosureProfilesRoute: RouteModule = (app) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { response: { 200: DisclosureProfiles, '4xx': Problem } },
    handler: async () => disclosureProfiles,
  });
};
