import type { ReferralCreate } from '@bridge/contract';

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
      givenName: 'Drita',
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
      dataCategories: ['IDENTITY', 'AGE', 'GENDER', 'LANGUAGE', 'FAMILY', 'HEALTH', 'NATIONALITY'],
      validUntil: inAYear,
      legalBasis: 'CONSENT',
      recordedBy: 'atina-staff-017',
    },
    note: 'Враћа се у Ђаковицу (Gjakovë); прати је социјална радница Јелена Ђорђевић.',
  };
}
