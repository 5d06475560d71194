import { TransitionNote } from '@bridge/contract';
import { statusRoute } from './status-route.ts';

/** The sender marks a referral as entered in error, whatever its status. */
export const markReferralEnteredInErrorRoute = statusRoute('markReferralEnteredInError', TransitionNote, ({ note }) => ({ status: 'entered-in-error', note }));
