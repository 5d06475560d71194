import type { Consent } from '@bridge/contract';
import type { ReferralRow } from '../federation/message-referral.ts';
import { BridgeError } from '../errors.ts';

/** Why a referral's consent no longer lets personal data cross, or null while it does. */
export function consentInvalidity(row: ReferralRow, now: Date): string | null {
  if (row.consentRevokedAt !== null) return 'the consent was revoked';
  if (row.erasedAt !== null) return "the person's data was erased";
  if (Date.parse((row.consent as Consent).validUntil) <= now.getTime()) return 'the consent has expired';
  return null;
}

/** Throws `consent_not_valid` (422) when personal data may no longer cross for this referral. */
export function requireValidConsent(row: ReferralRow, now: Date): void {
  const why = consentInvalidity(row, now);
  if (why) throw new BridgeError(422, 'consent_not_valid', why);
}
