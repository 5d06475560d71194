/** Building blocks shared by the schema modules (not part of the public API). */
import { z } from 'zod';

export const unique = (items: readonly unknown[]) => new Set(items).size === items.length;
export const uniqueMessage = { message: 'items must be unique' };

export const dateTime = () => z.iso.datetime({ offset: true });
export const languageTag = () => z.string().regex(/^[a-z]{2,3}(-[A-Za-z0-9]{2,8})*$/);

/** The optional reason code and note of a withdrawal (WithdrawReferral and ReferralWithdrawBody). */
export const withdrawFields = {
  reason: z.string().min(1).max(64).regex(/^[A-Z][A-Z0-9_]*$/).optional(),
  note: z.string().max(2000).optional(),
};
