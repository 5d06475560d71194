/**
 * Compile-time proof that the zod schemas and the types generated from the contract agree.
 * Nothing here runs; `pnpm typecheck` fails if a field is added, removed, renamed, made optional
 * or given another type on either side.
 */
import type { z } from 'zod';
import type { components, operations } from './generated/openapi.ts';
import type * as schemas from './schemas.ts';

type Schemas = components['schemas'];
type Parameters = components['parameters'];
type Zod = typeof schemas;

/** A is assignable to B. */
type Extends<A, B> = [A] extends [B] ? true : false;
/** A and B are assignable to each other. */
type Mutual<A, B> = Extends<A, B> extends true ? Extends<B, A> : false;
/** A and B are the same type (also catches optional fields that differ, which assignability misses). */
type Equal<A, B> = (<T>() => T extends A ? 1 : 2) extends (<T>() => T extends B ? 1 : 2) ? true : false;
type Same<A, B> = Mutual<A, B> extends true ? Equal<A, B> : false;
type Expect<T extends true> = T;
/** Header names as Node delivers them (lower case). */
type LowerCaseKeys<T> = { [K in keyof T as Lowercase<K & string>]: T[K] };
/** The header parameters of an operation. */
type Headers<O extends keyof operations> = NonNullable<operations[O]['parameters']['header']>;

/** Both the input and the output type of the zod schema named N match the generated schema N. */
type Matches<N extends keyof Schemas & keyof Zod> =
  Same<z.input<Zod[N]>, Schemas[N]> extends true ? Same<z.output<Zod[N]>, Schemas[N]> : false;

export type ContractTypeChecks = [
  // every component schema has a zod schema of the same name
  Expect<Equal<Exclude<keyof Schemas, keyof Zod>, never>>,
  Expect<Matches<'NodeId'>>,
  Expect<Matches<'ServiceCode'>>,
  Expect<Matches<'PersonCategory'>>,
  Expect<Matches<'Phase'>>,
  Expect<Matches<'Urgency'>>,
  Expect<Matches<'RiskLevel'>>,
  Expect<Matches<'RiskThreat'>>,
  Expect<Matches<'Risk'>>,
  Expect<Matches<'DataCategory'>>,
  Expect<Matches<'DisclosableField'>>,
  Expect<Matches<'DisclosureProfile'>>,
  Expect<Matches<'DisclosureProfiles'>>,
  Expect<Matches<'ReferralStatus'>>,
  Expect<Matches<'Person'>>,
  Expect<Matches<'DisclosedPerson'>>,
  Expect<Matches<'PersonView'>>,
  Expect<Matches<'ConsentMethod'>>,
  Expect<Matches<'LegalBasis'>>,
  Expect<Matches<'Consent'>>,
  Expect<Matches<'ReferralCreate'>>,
  Expect<Matches<'WithdrawReferral'>>,
  Expect<Matches<'RejectionReason'>>,
  Expect<Matches<'Outcome'>>,
  Expect<Matches<'TransitionNote'>>,
  Expect<Matches<'RejectReferral'>>,
  Expect<Matches<'CompleteReferral'>>,
  Expect<Matches<'StatusChange'>>,
  Expect<Matches<'Referral'>>,
  Expect<Matches<'ReferralList'>>,
  Expect<Matches<'ProblemCode'>>,
  Expect<Matches<'Problem'>>,
  Expect<Matches<'CompactJwe'>>,
  Expect<Matches<'CompactJws'>>,
  Expect<Matches<'Digest'>>,
  Expect<Matches<'MessageType'>>,
  Expect<Matches<'ReferralRequestBody'>>,
  Expect<Matches<'ReferralWithdrawBody'>>,
  Expect<Matches<'DisclosedFields'>>,
  Expect<Matches<'DiscloseFields'>>,
  Expect<Matches<'RevokeConsent'>>,
  Expect<Matches<'InfoText'>>,
  Expect<Matches<'InfoRequest'>>,
  Expect<Matches<'InfoRequestList'>>,
  Expect<Matches<'ReferralDiscloseBody'>>,
  Expect<Matches<'ReferralInfoRequestBody'>>,
  Expect<Matches<'ReferralInfoResponseBody'>>,
  Expect<Matches<'ConsentRevokeBody'>>,
  Expect<Matches<'ErasureConfirmBody'>>,
  Expect<Matches<'ReferralStatusBody'>>,
  Expect<Matches<'MessageClaims'>>,
  Expect<Matches<'Labels'>>,
  Expect<Matches<'CodeListEntry'>>,
  Expect<Matches<'CodeLists'>>,
  Expect<Matches<'OutboxStatus'>>,
  Expect<Matches<'OutboxMessage'>>,
  Expect<Matches<'OutboxDiscardReason'>>,
  Expect<Matches<'OutboxDiscard'>>,
  Expect<Matches<'OutboxMessageList'>>,
  Expect<Matches<'ReceiptClaims'>>,
  Expect<Matches<'ReceiptResponse'>>,
  Expect<Matches<'NodeMetadata'>>,
  Expect<Matches<'PublicJwk'>>,
  Expect<Matches<'Jwks'>>,
  Expect<Matches<'Health'>>,
  Expect<Matches<'Readiness'>>,
  Expect<Matches<'OpenApiDocument'>>,
  Expect<Matches<'ApiDocsHtml'>>,
  Expect<Matches<'MetricsText'>>,
  Expect<Matches<'ConsoleHtml'>>,
  Expect<Matches<'ConsoleAsset'>>,
  Expect<Matches<'EventType'>>,
  Expect<Matches<'Event'>>,
  Expect<Matches<'EventPage'>>,
  Expect<Matches<'WebhookSubscriptionCreate'>>,
  Expect<Matches<'WebhookSubscription'>>,
  Expect<Matches<'WebhookSubscriptionCreated'>>,
  Expect<Matches<'WebhookSubscriptionList'>>,
  Expect<Matches<'WebhookDelivery'>>,
  Expect<Matches<'WebhookDeliveryList'>>,
  Expect<Matches<'MerkleHash'>>,
  Expect<Matches<'AuditEvent'>>,
  Expect<Matches<'AuditEventList'>>,
  Expect<Matches<'AuditCheckpoint'>>,
  Expect<Matches<'AuditEventProof'>>,
  Expect<Matches<'AuditConsistencyProof'>>,
  Expect<Matches<'AuditExport'>>,
  Expect<Matches<'AuditFailure'>>,
  Expect<Matches<'AuditVerification'>>,
  Expect<Matches<'WitnessOutcome'>>,
  Expect<Matches<'WitnessOutcomeList'>>,
  Expect<Matches<'CheckpointResponse'>>,
  Expect<Matches<'UserRole'>>,
  Expect<Matches<'Scope'>>,
  Expect<Matches<'Username'>>,
  Expect<Matches<'ConsoleLocale'>>,
  Expect<Matches<'SignInMethod'>>,
  Expect<Matches<'SignInOptions'>>,
  Expect<Matches<'Passkey'>>,
  Expect<Matches<'OwnFactors'>>,
  Expect<Matches<'CurrentUser'>>,
  Expect<Matches<'SessionState'>>,
  Expect<Matches<'SessionInfo'>>,
  Expect<Matches<'SessionSummary'>>,
  Expect<Matches<'SessionList'>>,
  Expect<Matches<'Password'>>,
  Expect<Matches<'OneTimeCode'>>,
  Expect<Matches<'PasswordSignIn'>>,
  Expect<Matches<'PasswordStepUp'>>,
  Expect<Matches<'PasswordChange'>>,
  Expect<Matches<'WebAuthnJson'>>,
  Expect<Matches<'PasskeyChallenge'>>,
  Expect<Matches<'PasskeyResponse'>>,
  Expect<Matches<'PasskeyRegistration'>>,
  Expect<Matches<'EnrolmentToken'>>,
  Expect<Matches<'Enrolment'>>,
  Expect<Matches<'PasskeyEnrolment'>>,
  Expect<Matches<'TotpSetup'>>,
  Expect<Matches<'PasswordEnrolment'>>,
  Expect<Matches<'RecoveryCode'>>,
  Expect<Matches<'RecoveryCodes'>>,
  Expect<Matches<'Enrolled'>>,
  Expect<Matches<'Preferences'>>,
  Expect<Matches<'UserStatus'>>,
  Expect<Matches<'UserFactors'>>,
  Expect<Matches<'User'>>,
  Expect<Matches<'UserList'>>,
  Expect<Matches<'UserRoles'>>,
  Expect<Matches<'UserCreate'>>,
  Expect<Matches<'EnrolmentLink'>>,
  Expect<Matches<'UserCreated'>>,
  Expect<Same<z.output<Zod['UserIdParams']>, operations['getUser']['parameters']['path']>>,
  Expect<Same<z.input<Zod['UserIdParams']>, operations['setUserRoles']['parameters']['path']>>,
  Expect<Same<z.output<Zod['SessionIdParams']>, operations['endMySession']['parameters']['path']>>,
  Expect<Same<z.input<Zod['SessionIdParams']>, operations['endMySession']['parameters']['path']>>,
  Expect<Same<z.output<Zod['PasskeyIdParams']>, operations['deletePasskey']['parameters']['path']>>,
  Expect<Same<z.input<Zod['PasskeyIdParams']>, operations['deletePasskey']['parameters']['path']>>,
  // request parameters
  Expect<Same<z.output<Zod['ReferralIdParams']>, operations['getReferral']['parameters']['path']>>,
  Expect<Same<z.input<Zod['ReferralIdParams']>, operations['getReferral']['parameters']['path']>>,
  Expect<Same<z.output<Zod['ReferralIdParams']>, operations['withdrawReferral']['parameters']['path']>>,
  Expect<Same<z.input<Zod['ReferralIdParams']>, operations['withdrawReferral']['parameters']['path']>>,
  Expect<Same<z.output<Zod['QuestionIdParams']>, operations['answerInfoRequest']['parameters']['path']>>,
  Expect<Same<z.input<Zod['QuestionIdParams']>, operations['answerInfoRequest']['parameters']['path']>>,
  Expect<Same<z.output<Zod['ReferralIdParams']>, operations['acceptReferral']['parameters']['path']>>,
  Expect<Same<z.output<Zod['ReferralIdParams']>, operations['markReferralEnteredInError']['parameters']['path']>>,
  Expect<Same<z.output<Zod['MessageIdParams']>, operations['resendOutboxMessage']['parameters']['path']>>,
  Expect<Same<z.input<Zod['MessageIdParams']>, operations['resendOutboxMessage']['parameters']['path']>>,
  Expect<Same<z.output<Zod['MessageIdParams']>, operations['discardOutboxMessage']['parameters']['path']>>,
  Expect<Same<z.output<Zod['SubscriptionIdParams']>, operations['deleteWebhookSubscription']['parameters']['path']>>,
  Expect<Same<z.input<Zod['SubscriptionIdParams']>, operations['deleteWebhookSubscription']['parameters']['path']>>,
  Expect<Same<z.output<Zod['DeliveryIdParams']>, operations['resendWebhookDelivery']['parameters']['path']>>,
  Expect<Same<z.input<Zod['DeliveryIdParams']>, operations['resendWebhookDelivery']['parameters']['path']>>,
  // the Idempotency-Key header, under its lower-case name
  Expect<Same<z.output<Zod['IdempotencyKey']>, Parameters['IdempotencyKey']>>,
  Expect<Same<z.input<Zod['IdempotencyKey']>, Parameters['IdempotencyKey']>>,
  Expect<Same<z.output<Zod['IdempotencyKeyHeaders']>, LowerCaseKeys<Headers<'createReferral'>>>>,
  Expect<Same<z.input<Zod['IdempotencyKeyHeaders']>, LowerCaseKeys<Headers<'createReferral'>>>>,
  Expect<Same<z.output<Zod['IdempotencyKeyHeaders']>, LowerCaseKeys<Headers<'withdrawReferral'>>>>,
  Expect<Same<z.output<Zod['IdempotencyKeyHeaders']>, LowerCaseKeys<Headers<'completeReferral'>>>>,
  // the parsed query has `limit` filled in by its default, so it is only assignable one way ...
  Expect<Extends<z.output<Zod['ListReferralsQuery']>, NonNullable<operations['listReferrals']['parameters']['query']>>>,
  // ... but has exactly the same fields
  Expect<
    Equal<keyof z.output<Zod['ListReferralsQuery']>, keyof NonNullable<operations['listReferrals']['parameters']['query']>>
  >,
  Expect<
    Same<
      Omit<z.output<Zod['ListReferralsQuery']>, 'limit'>,
      Omit<NonNullable<operations['listReferrals']['parameters']['query']>, 'limit'>
    >
  >,
  Expect<Extends<z.output<Zod['ListOutboxQuery']>, NonNullable<operations['listOutboxMessages']['parameters']['query']>>>,
  Expect<
    Equal<keyof z.output<Zod['ListOutboxQuery']>, keyof NonNullable<operations['listOutboxMessages']['parameters']['query']>>
  >,
  Expect<
    Same<
      Omit<z.output<Zod['ListOutboxQuery']>, 'limit'>,
      Omit<NonNullable<operations['listOutboxMessages']['parameters']['query']>, 'limit'>
    >
  >,
  Expect<Extends<z.output<Zod['ListEventsQuery']>, NonNullable<operations['listEvents']['parameters']['query']>>>,
  Expect<
    Equal<keyof z.output<Zod['ListEventsQuery']>, keyof NonNullable<operations['listEvents']['parameters']['query']>>
  >,
  Expect<
    Same<
      Omit<z.output<Zod['ListEventsQuery']>, 'limit'>,
      Omit<NonNullable<operations['listEvents']['parameters']['query']>, 'limit'>
    >
  >,
  Expect<Extends<z.output<Zod['ListWebhookDeliveriesQuery']>, NonNullable<operations['listWebhookDeliveries']['parameters']['query']>>>,
  Expect<
    Equal<keyof z.output<Zod['ListWebhookDeliveriesQuery']>, keyof NonNullable<operations['listWebhookDeliveries']['parameters']['query']>>
  >,
  Expect<
    Same<
      Omit<z.output<Zod['ListWebhookDeliveriesQuery']>, 'limit'>,
      Omit<NonNullable<operations['listWebhookDeliveries']['parameters']['query']>, 'limit'>
    >
  >,
  Expect<Same<Omit<z.output<Zod['SearchAuditQuery']>, 'limit'>, Omit<NonNullable<operations['searchAuditEvents']['parameters']['query']>, 'limit'>>>,
  Expect<Equal<keyof z.output<Zod['SearchAuditQuery']>, keyof NonNullable<operations['searchAuditEvents']['parameters']['query']>>>,
  Expect<Same<Omit<z.output<Zod['ExportAuditQuery']>, 'format'>, Omit<NonNullable<operations['exportAuditLog']['parameters']['query']>, 'format'>>>,
  Expect<Equal<keyof z.output<Zod['ExportAuditQuery']>, keyof NonNullable<operations['exportAuditLog']['parameters']['query']>>>,
  Expect<Same<z.output<Zod['AuditEventIdParams']>, operations['getAuditEventProof']['parameters']['path']>>,
  Expect<Same<z.output<Zod['ConsistencyQuery']>, operations['getAuditConsistencyProof']['parameters']['query']>>,
];
