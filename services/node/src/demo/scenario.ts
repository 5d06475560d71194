import type { ReferralCreate } from '@bridge/contract';
import type { BridgeClient, Referral } from '@bridge/client';

/** A fictional person and referral from Atina (Belgrade) to PVPT (Prishtina). */
export function demoReferral(now: Date): ReferralCreate {
  const inAYear = new Date(now.getTime() + 365 * 86_400_000).toISOString();
  return {
    recipient: 'pvpt',
    services: ['SAFE_ACCOMMODATION', 'PSYCHOSOCIAL_SUPPORT', 'SAFE_RETURN'],
    urgency: 'URGENT',
    personCategory: 'TRAFFICKING_VICTIM',
    phase: 'RETURN',
    risk: { level: 'HIGH', threats: ['TRAFFICKER_CONTACT', 'RETRAFFICKING'] },
    person: {
      localId: 'ATN-2026-0147',
      givenName: 'Dritë',
      familyName: 'Krasniqi-Çeliku',
      ageBand: '18-25',
      gender: 'FEMALE',
      languages: ['sq', 'sr'],
      accompanyingChildren: 1,
      urgentHealthNeeds: 'Потребан преглед код гинеколога; trajtim për lëndime të lehta.',
      nationality: 'XK',
      documentNumber: 'P0012345',
    },
    consent: {
      givenAt: new Date(now.getTime() - 3600_000).toISOString(),
      method: 'WRITTEN',
      language: 'sq',
      recipient: 'pvpt',
      services: ['SAFE_ACCOMMODATION', 'PSYCHOSOCIAL_SUPPORT', 'SAFE_RETURN'],
      // Nationality and documents are not consented to: they stay at Atina.
      dataCategories: ['IDENTITY', 'AGE', 'GENDER', 'LANGUAGE', 'FAMILY', 'HEALTH', 'CASE_NOTES'],
      validUntil: inAYear,
      legalBasis: 'CONSENT',
      recordedBy: 'atina-staff-017',
    },
    note: 'Враћа се у Ђаковицу (Gjakovë); прати је социјална радница Јелена Ђорђевић.',
  };
}

/** The other direction: PVPT refers a Serbian woman identified in Kosovo to Atina. */
export function demoReturnReferral(now: Date): ReferralCreate {
  return {
    recipient: 'atina',
    services: ['PSYCHOLOGICAL_COUNSELLING', 'LEGAL_COUNSELLING', 'SUPPORT_IN_PROCEEDINGS'],
    urgency: 'ROUTINE',
    personCategory: 'GBV_VICTIM',
    phase: 'PROCEEDINGS',
    risk: { level: 'MEDIUM', threats: ['PERPETRATOR_CONTACT'] },
    person: {
      localId: 'PVPT-26-0093',
      givenName: 'Јелена',
      familyName: 'Петровић',
      ageBand: '26-35',
      gender: 'FEMALE',
      languages: ['sr'],
    },
    consent: {
      givenAt: new Date(now.getTime() - 7200_000).toISOString(),
      method: 'VERBAL_WITNESSED',
      language: 'sr',
      recipient: 'atina',
      services: ['PSYCHOLOGICAL_COUNSELLING', 'LEGAL_COUNSELLING', 'SUPPORT_IN_PROCEEDINGS'],
      dataCategories: ['IDENTITY', 'AGE', 'GENDER', 'LANGUAGE', 'CASE_NOTES'],
      validUntil: new Date(now.getTime() + 180 * 86_400_000).toISOString(),
      legalBasis: 'CONSENT',
      recordedBy: 'pvpt-staff-004',
      witness: 'pvpt-staff-011',
    },
    note: 'Dëshmitare në procedurë në Prishtinë; kërkon këshillim juridik në Beograd.',
  };
}

/** What PVPT's case worker does with Atina's referral, one status change at a time. */
export const demoLifecycle: ReadonlyArray<{ call: string; run: (client: BridgeClient, id: string) => Promise<Referral> }> = [
  {
    call: 'POST /v1/referrals/{id}/accept',
    run: (c, id) => c.acceptReferral(id, { note: 'Smeštaj u sigurnoj kući od 17. marta; dočekuje je Arbëresha.' }),
  },
  {
    call: 'POST /v1/referrals/{id}/start',
    run: (c, id) => c.startReferral(id, { note: 'Stigla je; psihosocijalna podrška počinje sutra.' }),
  },
  {
    call: 'POST /v1/referrals/{id}/complete  outcome SERVICE_PROVIDED',
    run: (c, id) => c.completeReferral(id, { outcome: 'SERVICE_PROVIDED', note: 'Bezbedan povratak porodici u Gjakovë; u kthye në shtëpi.' }),
  },
];
