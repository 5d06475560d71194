import { operations, Problem, SignInOptions } from '@bridge/contract';
import type { RouteModule } from '../types.ts';

const op = operations.getSignInOptions;

export const getSignInOptionsRoute: RouteModule = (app, ctx) => {
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { response: { 200: SignInOptions, '4xx': Problem } },
    handler: async () => ({ passkey: true, password: true, oidc: ctx.config.oidc ? { label: ctx.config.oidc.label } : null }),
  });
};
