import { disclosureProfiles, type Consent, type DataCategory, type DisclosableField, type DisclosedPerson, type Person, type ServiceCode } from '@bridge/contract';

/** Which fields each consented data category lets cross to the peer. */
export const FIELDS_BY_CATEGORY: Record<DataCategory, DisclosableField[]> = {
  IDENTITY: ['givenName', 'familyName'],
  AGE: ['ageBand', 'birthDate'],
  GENDER: ['gender'],
  LANGUAGE: ['languages'],
  FAMILY: ['accompanyingChildren'],
  HEALTH: ['urgentHealthNeeds'],
  NATIONALITY: ['nationality'],
  DOCUMENTS: ['documentNumber'],
  CASE_NOTES: ['note'],
};

/** The stage of a referral, which decides which part of each profile applies. */
export type DisclosureStage = 'request' | 'accepted';

/** Statuses after the receiver accepted, in which `referral.disclose` may release the afterAcceptance fields. */
export const ACCEPTED_STATUSES: ReadonlySet<string> = new Set(['accepted', 'in-progress', 'on-hold']);

export function consentedFields(consent: Pick<Consent, 'dataCategories'>): Set<DisclosableField> {
  return new Set(consent.dataCategories.flatMap((c) => FIELDS_BY_CATEGORY[c]));
}

/** The union of the profiles of the services, for the stage. */
export function profileFields(services: readonly ServiceCode[], stage: DisclosureStage): Set<DisclosableField> {
  const fields = new Set<DisclosableField>();
  for (const service of services) {
    const profile = disclosureProfiles[service];
    for (const f of profile.onRequest) fields.add(f);
    if (stage === 'accepted') for (const f of profile.afterAcceptance) fields.add(f);
  }
  return fields;
}

/**
 * The disclosure rule, the same on both sides: (union of the profiles of the requested services) ∩
 * (fields of the consented data categories). The pseudonym and the risk block are always sent. A
 * document number or any other field leaves only when a profile and the consent both allow it.
 */
export function allowedFields(services: readonly ServiceCode[], consent: Pick<Consent, 'dataCategories'>, stage: DisclosureStage): Set<DisclosableField> {
  const consented = consentedFields(consent);
  return new Set([...profileFields(services, stage)].filter((f) => consented.has(f)));
}

/** Whether free text about the person (a note, an info message) may cross for this referral. */
export function mayShareText(services: readonly ServiceCode[], consent: Pick<Consent, 'dataCategories'>): boolean {
  return allowedFields(services, consent, 'accepted').has('note');
}

/** What a `referral.request` carries: the pseudonym plus the fields the rule allows at request time. */
export function disclose(
  person: Person,
  note: string | undefined,
  services: readonly ServiceCode[],
  consent: Consent,
  pseudonym: string,
): { person: DisclosedPerson; note?: string } {
  const allowed = allowedFields(services, consent, 'request');
  const disclosed: Record<string, unknown> = { pseudonym };
  for (const [field, value] of Object.entries(person)) {
    if (allowed.has(field as DisclosableField) && value !== undefined) disclosed[field] = value;
  }
  return { person: disclosed as DisclosedPerson, ...(note !== undefined && allowed.has('note') ? { note } : {}) };
}

/** Fields a message carries that the rule does not allow (names only, never values). */
export function overDisclosed(
  person: Partial<DisclosedPerson>,
  note: string | undefined,
  services: readonly ServiceCode[],
  consent: Pick<Consent, 'dataCategories'>,
  stage: DisclosureStage,
): string[] {
  const allowed = allowedFields(services, consent, stage);
  const present = [...Object.keys(person).filter((k) => k !== 'pseudonym'), ...(note === undefined ? [] : ['note'])];
  return present.filter((f) => !allowed.has(f as DisclosableField));
}
