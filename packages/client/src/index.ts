/**
 * @bridge/client: a typed client for the integration and admin APIs of a Bridge node. Every path,
 * parameter and body is checked at compile time against the types generated from the contract
 * (openapi/bridge.v1.yaml), so the client cannot drift from the node.
 */
import createClient, { type Client, type ClientOptions, type Middleware } from 'openapi-fetch';
import type { components, paths } from '@bridge/contract';

type Schemas = components['schemas'];
export type Problem = Schemas['Problem'];
export type ProblemCode = Schemas['ProblemCode'];
export type Referral = Schemas['Referral'];
export type ReferralCreate = Schemas['ReferralCreate'];
export type ReferralList = Schemas['ReferralList'];
export type WithdrawReferral = Schemas['WithdrawReferral'];
export type DiscloseFields = Schemas['DiscloseFields'];
export type DisclosureProfiles = Schemas['DisclosureProfiles'];
export type RevokeConsent = Schemas['RevokeConsent'];
export type InfoRequest = Schemas['InfoRequest'];
export type InfoRequestList = Schemas['InfoRequestList'];
export type TransitionNote = Schemas['TransitionNote'];
export type RejectReferral = Schemas['RejectReferral'];
export type CompleteReferral = Schemas['CompleteReferral'];
export type CodeLists = Schemas['CodeLists'];
export type OutboxMessage = Schemas['OutboxMessage'];
export type OutboxMessageList = Schemas['OutboxMessageList'];
export type OutboxDiscard = Schemas['OutboxDiscard'];
export type ListReferralsQuery = NonNullable<paths['/v1/referrals']['get']['parameters']['query']>;
export type ListOutboxQuery = NonNullable<paths['/admin/v1/outbox']['get']['parameters']['query']>;
export type Event = Schemas['Event'];
export type EventPage = Schemas['EventPage'];
export type WebhookSubscription = Schemas['WebhookSubscription'];
export type WebhookSubscriptionCreate = Schemas['WebhookSubscriptionCreate'];
export type WebhookSubscriptionCreated = Schemas['WebhookSubscriptionCreated'];
export type WebhookDelivery = Schemas['WebhookDelivery'];
export type WebhookDeliveryList = Schemas['WebhookDeliveryList'];
export type ListEventsQuery = NonNullable<paths['/v1/events']['get']['parameters']['query']>;
export type ListWebhookDeliveriesQuery = NonNullable<paths['/admin/v1/webhook-deliveries']['get']['parameters']['query']>;

export interface BridgeClientOptions {
  /** Base URL of the node, e.g. `https://bridge.atina.example`. */
  baseUrl: string;
  /** Bearer token from `bridge clients create` (scopes `referrals:read`/`referrals:write`, or `admin`). */
  token: string;
  /** A fetch implementation, for tests or proxies; defaults to the global fetch. */
  fetch?: ClientOptions['fetch'];
}

export interface IdempotencyOptions {
  /** Makes a retry safe: the same key and payload replay the stored response instead of acting twice. */
  idempotencyKey?: string;
}

/** A non-2xx answer from the node, carrying its problem document (RFC 9457) when it sent one. */
export class BridgeApiError extends Error {
  override readonly name = 'BridgeApiError';
  readonly status: number;
  /** The stable problem code; undefined only when the answer was not a problem document (e.g. from a proxy). */
  readonly code: ProblemCode | undefined;
  readonly detail: string | undefined;
  readonly problem: Problem | undefined;

  constructor(status: number, problem: Problem | undefined) {
    super(`bridge answered ${status}${problem ? ` ${problem.code}${problem.detail ? `: ${problem.detail}` : ''}` : ''}`);
    this.status = status;
    this.problem = problem;
    this.code = problem?.code;
    this.detail = problem?.detail;
  }
}

export interface BridgeHelpers {
  createReferral(body: ReferralCreate, options?: IdempotencyOptions): Promise<Referral>;
  getReferral(id: string): Promise<Referral>;
  listReferrals(query?: ListReferralsQuery): Promise<ReferralList>;
  withdrawReferral(id: string, body?: WithdrawReferral, options?: IdempotencyOptions): Promise<Referral>;
  getDisclosureProfiles(): Promise<DisclosureProfiles>;
  /** After acceptance: release further fields of an outbound referral, within profiles and consent. */
  discloseReferral(id: string, body: DiscloseFields, options?: IdempotencyOptions): Promise<Referral>;
  /** The person withdrew consent: the peer erases her data and confirms. */
  revokeConsent(id: string, body?: RevokeConsent, options?: IdempotencyOptions): Promise<Referral>;
  listInfoRequests(id: string): Promise<InfoRequestList>;
  askInfo(id: string, text: string, options?: IdempotencyOptions): Promise<InfoRequest>;
  answerInfo(id: string, questionId: string, text: string, options?: IdempotencyOptions): Promise<InfoRequest>;
  /** Receiver: received → accepted. */
  acceptReferral(id: string, body?: TransitionNote, options?: IdempotencyOptions): Promise<Referral>;
  /** Receiver: received → rejected, with a rejection reason code. */
  rejectReferral(id: string, body: RejectReferral, options?: IdempotencyOptions): Promise<Referral>;
  /** Receiver: accepted / in-progress / on-hold → in-progress. */
  startReferral(id: string, body?: TransitionNote, options?: IdempotencyOptions): Promise<Referral>;
  /** Receiver: accepted / in-progress / on-hold → on-hold. */
  holdReferral(id: string, body?: TransitionNote, options?: IdempotencyOptions): Promise<Referral>;
  /** Receiver: in-progress / on-hold → completed, with an outcome code. */
  completeReferral(id: string, body: CompleteReferral, options?: IdempotencyOptions): Promise<Referral>;
  /** Receiver: in-progress / on-hold → failed. */
  failReferral(id: string, body?: TransitionNote, options?: IdempotencyOptions): Promise<Referral>;
  /** Sender: any status → entered-in-error. */
  markReferralEnteredInError(id: string, body?: TransitionNote, options?: IdempotencyOptions): Promise<Referral>;
  /** Every code list with its labels in en, sr-Latn, sr-Cyrl and sq. */
  getCodeLists(): Promise<CodeLists>;
  /** Admin scope. */
  listOutbox(query?: ListOutboxQuery): Promise<OutboxMessageList>;
  /** Admin scope. */
  resendOutboxMessage(id: string): Promise<OutboxMessage>;
  /** Admin scope. Gives up a dead message so the later ones of its referral flow. */
  discardOutboxMessage(id: string, body: OutboxDiscard): Promise<OutboxMessage>;
  /** The event feed: pass the previous page's `nextCursor` as `after`. */
  listEvents(query?: ListEventsQuery): Promise<EventPage>;
  /** Admin scope. The answer carries the signing secret, this once. */
  createWebhookSubscription(body: WebhookSubscriptionCreate): Promise<WebhookSubscriptionCreated>;
  /** Admin scope. */
  listWebhookSubscriptions(): Promise<WebhookSubscription[]>;
  /** Admin scope. */
  deleteWebhookSubscription(id: string): Promise<void>;
  /** Admin scope. */
  listWebhookDeliveries(query?: ListWebhookDeliveriesQuery): Promise<WebhookDeliveryList>;
  /** Admin scope. Only a dead delivery of a subscription that still exists. */
  resendWebhookDelivery(id: string): Promise<WebhookDelivery>;
}

/** The openapi-fetch client (`GET`, `POST`, … typed by the contract) plus helpers that throw BridgeApiError. */
export type BridgeClient = Client<paths> & BridgeHelpers;

export function createBridgeClient(options: BridgeClientOptions): BridgeClient {
  const client = createClient<paths>({ baseUrl: options.baseUrl, ...(options.fetch ? { fetch: options.fetch } : {}) });
  client.use(bearer(options.token));

  const helpers: BridgeHelpers = {
    createReferral: async (body, { idempotencyKey } = {}) =>
      ok(await client.POST('/v1/referrals', { body, params: { header: idempotencyHeader(idempotencyKey) } })),
    getReferral: async (id) => ok(await client.GET('/v1/referrals/{referralId}', { params: { path: { referralId: id } } })),
    listReferrals: async (query = {}) => ok(await client.GET('/v1/referrals', { params: { query } })),
    withdrawReferral: async (id, body = {}, { idempotencyKey } = {}) =>
      ok(await client.POST('/v1/referrals/{referralId}/withdraw', { body, params: { path: { referralId: id }, header: idempotencyHeader(idempotencyKey) } })),
    getDisclosureProfiles: async () => ok(await client.GET('/v1/disclosure-profiles')),
    discloseReferral: async (id, body, { idempotencyKey } = {}) =>
      ok(await client.POST('/v1/referrals/{referralId}/disclose', { body, params: { path: { referralId: id }, header: idempotencyHeader(idempotencyKey) } })),
    revokeConsent: async (id, body = {}, { idempotencyKey } = {}) =>
      ok(await client.POST('/v1/referrals/{referralId}/consent/revoke', { body, params: { path: { referralId: id }, header: idempotencyHeader(idempotencyKey) } })),
    listInfoRequests: async (id) => ok(await client.GET('/v1/referrals/{referralId}/info-requests', { params: { path: { referralId: id } } })),
    askInfo: async (id, text, { idempotencyKey } = {}) =>
      ok(await client.POST('/v1/referrals/{referralId}/info-requests', { body: { text }, params: { path: { referralId: id }, header: idempotencyHeader(idempotencyKey) } })),
    answerInfo: async (id, questionId, text, { idempotencyKey } = {}) =>
      ok(
        await client.POST('/v1/referrals/{referralId}/info-requests/{questionId}/answer', {
          body: { text },
          params: { path: { referralId: id, questionId }, header: idempotencyHeader(idempotencyKey) },
        }),
      ),
    acceptReferral: async (id, body = {}, { idempotencyKey } = {}) =>
      ok(await client.POST('/v1/referrals/{referralId}/accept', { body, params: { path: { referralId: id }, header: idempotencyHeader(idempotencyKey) } })),
    rejectReferral: async (id, body, { idempotencyKey } = {}) =>
      ok(await client.POST('/v1/referrals/{referralId}/reject', { body, params: { path: { referralId: id }, header: idempotencyHeader(idempotencyKey) } })),
    startReferral: async (id, body = {}, { idempotencyKey } = {}) =>
      ok(await client.POST('/v1/referrals/{referralId}/start', { body, params: { path: { referralId: id }, header: idempotencyHeader(idempotencyKey) } })),
    holdReferral: async (id, body = {}, { idempotencyKey } = {}) =>
      ok(await client.POST('/v1/referrals/{referralId}/hold', { body, params: { path: { referralId: id }, header: idempotencyHeader(idempotencyKey) } })),
    completeReferral: async (id, body, { idempotencyKey } = {}) =>
      ok(await client.POST('/v1/referrals/{referralId}/complete', { body, params: { path: { referralId: id }, header: idempotencyHeader(idempotencyKey) } })),
    failReferral: async (id, body = {}, { idempotencyKey } = {}) =>
      ok(await client.POST('/v1/referrals/{referralId}/fail', { body, params: { path: { referralId: id }, header: idempotencyHeader(idempotencyKey) } })),
    markReferralEnteredInError: async (id, body = {}, { idempotencyKey } = {}) =>
      ok(await client.POST('/v1/referrals/{referralId}/entered-in-error', { body, params: { path: { referralId: id }, header: idempotencyHeader(idempotencyKey) } })),
    getCodeLists: async () => ok(await client.GET('/v1/code-lists')),
    listOutbox: async (query = {}) => ok(await client.GET('/admin/v1/outbox', { params: { query } })),
    resendOutboxMessage: async (id) => ok(await client.POST('/admin/v1/outbox/{messageId}/resend', { params: { path: { messageId: id } } })),
    discardOutboxMessage: async (id, body) => ok(await client.POST('/admin/v1/outbox/{messageId}/discard', { body, params: { path: { messageId: id } } })),
    listEvents: async (query = {}) => ok(await client.GET('/v1/events', { params: { query } })),
    createWebhookSubscription: async (body) => ok(await client.POST('/v1/webhooks', { body })),
    listWebhookSubscriptions: async () => ok(await client.GET('/v1/webhooks')).items,
    deleteWebhookSubscription: async (id) => {
      ok(await client.DELETE('/v1/webhooks/{subscriptionId}', { params: { path: { subscriptionId: id } } }));
    },
    listWebhookDeliveries: async (query = {}) => ok(await client.GET('/admin/v1/webhook-deliveries', { params: { query } })),
    resendWebhookDelivery: async (id) => ok(await client.POST('/admin/v1/webhook-deliveries/{deliveryId}/resend', { params: { path: { deliveryId: id } } })),
  };
  return Object.assign(client, helpers);
}

function bearer(token: string): Middleware {
  return {
    onRequest({ request }) {
      request.headers.set('authorization', `Bearer ${token}`);
      return request;
    },
  };
}

type IdempotencyHeader = NonNullable<paths['/v1/referrals']['post']['parameters']['header']>;

function idempotencyHeader(key: string | undefined): IdempotencyHeader {
  return key === undefined ? {} : { 'Idempotency-Key': key };
}

/** The data of a 2xx answer; anything else becomes a BridgeApiError. */
function ok<T>(result: { data?: T; error?: unknown; response: Response }): T {
  if (result.error !== undefined || !result.response.ok) throw new BridgeApiError(result.response.status, asProblem(result.error));
  return result.data as T;
}

function asProblem(body: unknown): Problem | undefined {
  if (typeof body !== 'object' || body === null) return undefined;
  const { code, status } = body as Record<string, unknown>;
  return typeof code === 'string' && typeof status === 'number' ? (body as Problem) : undefined;
}
