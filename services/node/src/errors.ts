import type { ProblemCode } from '@bridge/contract';

/** The one error type the HTTP layer turns into problem+json; `code` is stable and in the contract. */
export class BridgeError extends Error {
  override readonly name = 'BridgeError';
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    message: string,
    readonly errors?: Array<{ path: string; message: string }>,
  ) {
    super(message);
  }
}

export const notFound = (what: string) => new BridgeError(404, 'not_found', `${what} not found`);
