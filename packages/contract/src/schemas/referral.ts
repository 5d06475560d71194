/** Zod schemas for codes, persons, consent and referrals (integration API). See ../schemas.ts. */
import { z } from 'zod';
import { dateTime, languageTag, unique, uniqueMessage, withdrawFields } from './helpers.ts';

// ---- Codes ----------------------------------------------------------------------------------------

export const NodeId = z.string().regex(/^[a-z][a-z0-9-]{1,62}$/);
export type NodeId = z.infer<typeof NodeId>;

export const ServiceCode = z.enum([
  'SAFE_ACCOMMODATION',
  'PRIMARY_MEDICAL_CARE',
  'MEDICAL_SPECIALIST_REFERRAL',
  'HEALTH_EDUCATION',
  'PSYCHOSOCIAL_SUPPORT',
  'PSYCHOLOGICAL_COUNSELLING',
  'LEGAL_COUNSELLING',
  'PSYCHOTHERAPY',
  'EDUCATION_AND_VOCATIONAL_TRAINING',
  'EMPOWERMENT',
  'FAMILY_MEDIATION',
  'SOCIAL_AND_ECONOMIC_REINTEGRATION',
  'LEGAL_STATUS_AND_DOCUMENTS',
  'SUPPORT_IN_PROCEEDINGS',
  'SAFE_RETURN',
]);
export type ServiceCode = z.infer<typeof ServiceCode>;

export const PersonCategory = z.enum(['TRAFFICKING_VICTIM', 'PRESUMED_TRAFFICKING_VICTIM', 'GBV_VICTIM', 'AT_RISK']);
export type PersonCategory = z.infer<typeof PersonCategory>;

export const Phase = z.enum(['IDENTIFICATION', 'FIRST_ASSISTANCE', 'LONG_TERM_ASSISTANCE', 'RETURN', 'PROCEEDINGS']);
export type Phase = z.infer<typeof Phase>;

export const Urgency = z.enum(['EMERGENCY', 'URGENT', 'ROUTINE']);
export type Urgency = z.infer<typeof Urgency>;

export const RiskLevel = z.enum(['LOW', 'MEDIUM', 'HIGH', 'CRITICAL']);
export type RiskLevel = z.infer<typeof RiskLevel>;

export const RiskThreat = z.enum([
  'TRAFFICKER_CONTACT',
  'PERPETRATOR_CONTACT',
  'RETRAFFICKING',
  'SELF_HARM',
  'HEALTH_EMERGENCY',
  'STALKING',
  'FAMILY_PRESSURE',
  'DEBT_BONDAGE',
]);
export type RiskThreat = z.infer<typeof RiskThreat>;

export const Risk = z.strictObject({
  level: RiskLevel,
  threats: z.array(RiskThreat).max(8).refine(unique, uniqueMessage),
});
export type Risk = z.infer<typeof Risk>;

export const DataCategory = z.enum([
  'IDENTITY',
  'AGE',
  'GENDER',
  'LANGUAGE',
  'FAMILY',
  'HEALTH',
  'NATIONALITY',
  'DOCUMENTS',
  'CASE_NOTES',
]);
export type DataCategory = z.infer<typeof DataCategory>;

/** A field that can cross to a peer (`note` is the referral's note); pseudonym and risk always cross. */
export const DisclosableField = z.enum([
  'givenName',
  'familyName',
  'ageBand',
  'birthDate',
  'gender',
  'languages',
  'accompanyingChildren',
  'urgentHealthNeeds',
  'nationality',
  'documentNumber',
  'note',
]);
export type DisclosableField = z.infer<typeof DisclosableField>;

/** The fields one service needs: with the referral, and only after acceptance. */
export const DisclosureProfile = z.strictObject({
  onRequest: z.array(DisclosableField).refine(unique, uniqueMessage),
  afterAcceptance: z.array(DisclosableField).refine(unique, uniqueMessage),
});
export type DisclosureProfile = z.infer<typeof DisclosureProfile>;

/** One profile per service code: every code present, no other key. */
export const DisclosureProfiles = z.strictObject({
  SAFE_ACCOMMODATION: DisclosureProfile,
  PRIMARY_MEDICAL_CARE: DisclosureProfile,
  MEDICAL_SPECIALIST_REFERRAL: DisclosureProfile,
  HEALTH_EDUCATION: DisclosureProfile,
  PSYCHOSOCIAL_SUPPORT: DisclosureProfile,
  PSYCHOLOGICAL_COUNSELLING: DisclosureProfile,
  LEGAL_COUNSELLING: DisclosureProfile,
  PSYCHOTHERAPY: DisclosureProfile,
  EDUCATION_AND_VOCATIONAL_TRAINING: DisclosureProfile,
  EMPOWERMENT: DisclosureProfile,
  FAMILY_MEDIATION: DisclosureProfile,
  SOCIAL_AND_ECONOMIC_REINTEGRATION: DisclosureProfile,
  LEGAL_STATUS_AND_DOCUMENTS: DisclosureProfile,
  SUPPORT_IN_PROCEEDINGS: DisclosureProfile,
  SAFE_RETURN: DisclosureProfile,
});
export type DisclosureProfiles = z.infer<typeof DisclosureProfiles>;

export const ReferralStatus = z.enum([
  'requested',
  'received',
  'accepted',
  'rejected',
  'in-progress',
  'on-hold',
  'completed',
  'failed',
  'cancelled',
  'entered-in-error',
]);
export type ReferralStatus = z.infer<typeof ReferralStatus>;

export const RejectionReason = z.enum([
  'NO_CAPACITY',
  'SERVICE_NOT_PROVIDED',
  'OUTSIDE_AREA',
  'NOT_ELIGIBLE',
  'INSUFFICIENT_INFORMATION',
  'PERSON_DECLINED',
  'PERSON_UNREACHABLE',
  'DUPLICATE',
  'OTHER',
]);
export type RejectionReason = z.infer<typeof RejectionReason>;

export const Outcome = z.enum(['SERVICE_PROVIDED', 'PARTIALLY_PROVIDED', 'REFERRED_ONWARD', 'PERSON_DISCONTINUED', 'PERSON_RETURNED', 'OTHER']);
export type Outcome = z.infer<typeof Outcome>;

// ---- Person ---------------------------------------------------------------------------------------

const localId = () => z.string().min(1).max(128);
const pseudonym = () => z.string().regex(/^[A-Za-z0-9_-]{43}$/);
const givenName = () => z.string().min(1).max(200);

/** The optional personal fields shared by Person, DisclosedPerson and PersonView. */
const personFields = {
  familyName: z.string().min(1).max(200).optional(),
  ageBand: z.enum(['0-13', '14-17', '18-25', '26-35', '36-50', '51+']).optional(),
  birthDate: z.iso.date().optional(),
  gender: z.enum(['FEMALE', 'MALE', 'OTHER', 'UNDISCLOSED']).optional(),
  languages: z.array(languageTag()).max(10).refine(unique, uniqueMessage).optional(),
  accompanyingChildren: z.number().int().min(0).max(20).optional(),
  urgentHealthNeeds: z.string().max(2000).optional(),
  nationality: z.string().regex(/^[A-Z]{2}$/).optional(),
  documentNumber: z.string().min(1).max(64).optional(),
};

export const Person = z.strictObject({ localId: localId(), givenName: givenName(), ...personFields });
export type Person = z.infer<typeof Person>;

export const DisclosedPerson = z.strictObject({ pseudonym: pseudonym(), givenName: givenName().optional(), ...personFields });
export type DisclosedPerson = z.infer<typeof DisclosedPerson>;

/** Person fields released by a `referral.disclose` (the pseudonym already travelled with the request). */
export const DisclosedFields = z.strictObject({ givenName: givenName().optional(), ...personFields });
export type DisclosedFields = z.infer<typeof DisclosedFields>;

export const PersonView = z.strictObject({
  localId: localId().optional(),
  pseudonym: pseudonym().optional(),
  givenName: givenName().optional(),
  ...personFields,
});
export type PersonView = z.infer<typeof PersonView>;

// ---- Consent and referrals ------------------------------------------------------------------------

export const ConsentMethod = z.enum(['WRITTEN', 'VERBAL_WITNESSED']);
export type ConsentMethod = z.infer<typeof ConsentMethod>;

export const LegalBasis = z.enum(['CONSENT', 'VITAL_INTERESTS', 'LEGAL_OBLIGATION']);
export type LegalBasis = z.infer<typeof LegalBasis>;

export const Consent = z.strictObject({
  givenAt: dateTime(),
  method: ConsentMethod,
  language: languageTag(),
  recipient: NodeId,
  services: z.array(ServiceCode).min(1).refine(unique, uniqueMessage),
  dataCategories: z.array(DataCategory).refine(unique, uniqueMessage),
  validUntil: dateTime(),
  legalBasis: LegalBasis,
  recordedBy: z.string().min(1).max(128),
  witness: z.string().min(1).max(128).optional(),
});
export type Consent = z.infer<typeof Consent>;

const services = () => z.array(ServiceCode).min(1).max(15).refine(unique, uniqueMessage);
const note = () => z.string().max(2000);

/** Fields common to a referral as created, as sent in `referral.request`, and as shown. */
const referralFields = {
  services: services(),
  urgency: Urgency,
  personCategory: PersonCategory,
  phase: Phase,
  risk: Risk,
  consent: Consent,
  note: note().optional(),
};

export const ReferralCreate = z.strictObject({ recipient: NodeId, person: Person, ...referralFields });
export type ReferralCreate = z.infer<typeof ReferralCreate>;

/** Request body of `withdrawReferral`. */
export const WithdrawReferral = z.strictObject(withdrawFields);
export type WithdrawReferral = z.infer<typeof WithdrawReferral>;

/** Request body of the transitions without a code: accept, start, hold, fail, entered in error. */
export const TransitionNote = z.strictObject({ note: note().optional() });
export type TransitionNote = z.infer<typeof TransitionNote>;

/** Request body of `rejectReferral`. */
export const RejectReferral = z.strictObject({ reason: RejectionReason, note: note().optional() });
export type RejectReferral = z.infer<typeof RejectReferral>;

/** Request body of `completeReferral`. */
export const CompleteReferral = z.strictObject({ outcome: Outcome, note: note().optional() });
export type CompleteReferral = z.infer<typeof CompleteReferral>;

export const StatusChange = z.strictObject({
  status: ReferralStatus,
  at: dateTime(),
  by: NodeId,
  reason: z.string().max(64).optional(),
  note: note().optional(),
});
export type StatusChange = z.infer<typeof StatusChange>;

export const Referral = z.strictObject({
  id: z.uuid(),
  direction: z.enum(['inbound', 'outbound']),
  peer: NodeId,
  status: ReferralStatus,
  person: PersonView,
  ...referralFields,
  createdAt: dateTime(),
  updatedAt: dateTime(),
  responseDueAt: dateTime(),
  overdue: z.boolean(),
  history: z.array(StatusChange),
  consentRevokedAt: dateTime().optional(),
  erasedAt: dateTime().optional(),
  erasureConfirmedAt: dateTime().optional(),
});
export type Referral = z.infer<typeof Referral>;

/** Request body of `discloseReferral`. */
export const DiscloseFields = z.strictObject({ fields: z.array(DisclosableField).min(1).refine(unique, uniqueMessage) });
export type DiscloseFields = z.infer<typeof DiscloseFields>;

/** Request body of `revokeConsent`. */
export const RevokeConsent = z.strictObject({ reason: withdrawFields.reason });
export type RevokeConsent = z.infer<typeof RevokeConsent>;

/** A question or an answer (free text about the person: never logged). */
export const InfoText = z.strictObject({ text: z.string().min(1).max(2000) });
export type InfoText = z.infer<typeof InfoText>;

export const InfoRequest = z.strictObject({
  id: z.uuid(),
  askedBy: NodeId,
  askedAt: dateTime(),
  question: note().optional(),
  answeredBy: NodeId.optional(),
  answeredAt: dateTime().optional(),
  answer: note().optional(),
});
export type InfoRequest = z.infer<typeof InfoRequest>;

export const InfoRequestList = z.strictObject({ items: z.array(InfoRequest) });
export type InfoRequestList = z.infer<typeof InfoRequestList>;

/** Path parameters of `answerInfoRequest`. */
export const QuestionIdParams = z.strictObject({ referralId: z.uuid(), questionId: z.uuid() });
export type QuestionIdParams = z.infer<typeof QuestionIdParams>;

export const ReferralList = z.strictObject({
  items: z.array(Referral),
  nextCursor: z.string().nullable(),
});
export type ReferralList = z.infer<typeof ReferralList>;

/** Query string of `listReferrals` (limit is coerced from the query string, default 50). */
export const ListReferralsQuery = z.strictObject({
  direction: z.enum(['inbound', 'outbound']).optional(),
  status: ReferralStatus.optional(),
  // A query string carries text; an already-parsed boolean (examples, typed callers) passes as it is.
  overdue: z.union([z.boolean(), z.enum(['true', 'false']).transform((v) => v === 'true')]).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.string().min(1).max(512).optional(),
});
export type ListReferralsQuery = z.infer<typeof ListReferralsQuery>;

/** Path parameters of `getReferral` and `withdrawReferral`. */
export const ReferralIdParams = z.strictObject({ referralId: z.uuid() });
export type ReferralIdParams = z.infer<typeof ReferralIdParams>;

/** The `Idempotency-Key` header value: printable ASCII without spaces, 1 to 255 characters. */
export const IdempotencyKey = z.string().min(1).max(255).regex(/^[\x21-\x7E]+$/);
export type IdempotencyKey = z.infer<typeof IdempotencyKey>;

/**
 * Request headers of `createReferral` and `withdrawReferral`: the optional `Idempotency-Key`, under the
 * lower-case name Node gives it. Not strict, since a request carries many other headers.
 */
export const IdempotencyKeyHeaders = z.object({ 'idempotency-key': IdempotencyKey.optional() });
export type IdempotencyKeyHeaders = z.infer<typeof IdempotencyKeyHeaders>;
