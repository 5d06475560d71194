/**
 * The console's only way to the node: openapi-fetch over the types generated from the contract, so
 * every path, parameter and body is checked against openapi/bridge.v1.yaml at compile time. The
 * session travels in its HttpOnly cookie; state-changing requests carry the session's CSRF token.
 */
import createClient, { type Middleware } from 'openapi-fetch';
import type { components, paths } from '@bridge/contract/openapi';

type Schemas = components['schemas'];
export type SessionInfo = Schemas['SessionInfo'];
export type SessionSummary = Schemas['SessionSummary'];
export type UserRole = Schemas['UserRole'];
export type User = Schemas['User'];
export type UserCreated = Schemas['UserCreated'];
export type Enrolment = Schemas['Enrolment'];
export type Enrolled = Schemas['Enrolled'];
export type TotpSetup = Schemas['TotpSetup'];
export type SignInOptions = Schemas['SignInOptions'];
export type ProblemCode = Schemas['ProblemCode'];
type Problem = Schemas['Problem'];

/** A non-2xx answer, with the problem's stable code when the node sent one. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  readonly code: ProblemCode | undefined;
  /** On a 429: seconds to wait. */
  readonly retryAfter: number | undefined;
  constructor(status: number, problem: Problem | undefined, retryAfter: number | undefined) {
    super(`the node answered ${status}${problem ? ` ${problem.code}` : ''}`);
    this.status = status;
    this.code = problem?.code;
    this.retryAfter = retryAfter;
  }
}

let csrfToken: string | undefined;
const unauthorizedListeners = new Set<() => void>();
const contactListeners = new Set<(serverDate: number | undefined) => void>();

/** Called with each session the node returns: the token changes when the session is rotated. */
export function setCsrfToken(token: string | undefined): void {
  csrfToken = token;
}

/** The session ended on the node (timed out, signed out elsewhere, account disabled). */
export function onUnauthorized(listener: () => void): () => void {
  unauthorizedListeners.add(listener);
  return () => unauthorizedListeners.delete(listener);
}

/** Every answer from the node counts as activity of the session, which extends its idle timeout. */
export function onServerContact(listener: (serverDate: number | undefined) => void): () => void {
  contactListeners.add(listener);
  return () => contactListeners.delete(listener);
}

const session: Middleware = {
  onRequest({ request }) {
    if (request.method !== 'GET' && request.method !== 'HEAD' && csrfToken) request.headers.set('x-csrf-token', csrfToken);
    return request;
  },
  onResponse({ response, schemaPath }) {
    if (response.status === 401 && !schemaPath.startsWith('/v1/auth/sign-in') && !schemaPath.startsWith('/v1/auth/step-up')) {
      for (const listener of unauthorizedListeners) listener();
    } else if (response.status < 500) {
      for (const listener of contactListeners) listener(serverDate(response));
    }
    return response;
  },
};

export const api = createClient<paths>({ baseUrl: window.location.origin, credentials: 'same-origin' });
api.use(session);

/** The data of a 2xx answer; anything else becomes an ApiError. */
export function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) {
    const retryAfter = Number(result.response.headers.get('retry-after')) || undefined;
    throw new ApiError(result.response.status, asProblem(result.error), retryAfter);
  }
  return result.data as T;
}

function asProblem(body: unknown): Problem | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { code, status } = body as Record<string, unknown>;
  return typeof code === 'string' && typeof status === 'number' ? (body as Problem) : undefined;
}

/** The node's clock at the time of an answer (its Date header), to read the session's timeouts against. */
export function serverDate(response: Response): number | undefined {
  const date = response.headers.get('date');
  return date ? Date.parse(date) : undefined;
}
