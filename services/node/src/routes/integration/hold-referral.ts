import { TransitionNote } from '@bridge/contract';
import { statusRoute } from './status-route.ts';

/** The receiver puts an accepted or running referral on hold. */
export const holdReferralRoute = statusRoute('holdReferral', TransitionNote, ({ note }) => ({ status: 'on-hold', note }));
