import type { Consent, DataCategory, DisclosedPerson, Person } from '@bridge/contract';

type DisclosableField = Exclude<keyof DisclosedPerson, 'pseudonym'> | 'note';

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

/**
 * Never sent until disclosure profiles (per service) allow them: a document number identifies the
 * person across systems, so consent alone is not enough.
 */
const WITHHELD_WITHOUT_PROFILE: ReadonlySet<DisclosableField> = new Set(['documentNumber']);

export function consentedFields(consent: Pick<Consent, 'dataCategories'>): Set<DisclosableField> {
  return new Set(consent.dataCategories.flatMap((c) => FIELDS_BY_CATEGORY[c]));
}

/** What leaves the node: the pseudonym plus the fields the consent covers. */
export function disclose(person: Person, note: string | undefined, consent: Consent, pseudonym: string): { person: DisclosedPerson; note?: string } {
  const allowed = consentedFields(consent);
  const disclosed: Record<string, unknown> = { pseudonym };
  for (const [field, value] of Object.entries(person)) {
    const f = field as DisclosableField;
    if (allowed.has(f) && !WITHHELD_WITHOUT_PROFILE.has(f) && value !== undefined) disclosed[field] = value;
  }
  return { person: disclosed as DisclosedPerson, ...(note !== undefined && allowed.has('note') ? { note } : {}) };
}

/** Fields a received referral carries that its own consent does not cover (names only). */
export function overDisclosed(person: DisclosedPerson, note: string | undefined, consent: Consent): string[] {
  const allowed = consentedFields(consent);
  const present = [...Object.keys(person).filter((k) => k !== 'pseudonym'), ...(note === undefined ? [] : ['note'])] as DisclosableField[];
  return present.filter((f) => !allowed.has(f) || WITHHELD_WITHOUT_PROFILE.has(f));
}
