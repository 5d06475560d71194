import type { ProblemCode } from '@bridge/contract';

/** The one error type the HTTP layer turns into problem+json; `code` is stable and in the contract. */
export class BridgeError extends Error {
  override readonly name = 'BridgeError';
  /** On a 429: sent as the Retry-After header. */
  retryAfterSeconds?: number;
  /** On a 403 `forbidden`: the scopes of which the token needs any one, sent as `requiredScopes`. */
  requiredScopes?: readonly string[];
  constructor(
    readonly status: number,
    readonly code: ProblemCode,
    message: string,
    readonly errors?: Array<{ path: string; message: string }>,
    public refusal?: RefusalContext,
  ) {
    super(message);
  }
}

/** What is known about a refused message, for its audit event: ids and digests only. */
export interface RefusalContext {
  issuer?: string;
  messageId?: string;
  referralId?: string;
  digest?: string;
  /** Refusals that suggest an attack or a broken peer (e.g. the same id with other content). */
  alert?: boolean;
}

export const notFound = (what: string) => new BridgeError(404, 'not_found', `${what} not found`);
