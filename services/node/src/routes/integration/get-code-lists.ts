import { CodeLists, codeLists, operations, Problem } from '@bridge/contract';
import type { RouteModule } from '../types.ts';

const op = operations.getCodeLists;

export const getCodeListsRoute: RouteModule = (app) => {
  const lists = codeLists();
  app.route({
    method: op.method,
    url: op.fastifyPath,
    schema: { response: { 200: CodeLists, '4xx': Problem } },
    handler: async () => lists,
  });
};
