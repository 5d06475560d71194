import { TransitionNote } from '@bridge/contract';
import { statusRoute } from './status-route.ts';

/** The receiver records that a running referral failed. */
export const failReferralRoute = statusRoute('failReferral', TransitionNote, ({ note }) => ({ status: 'failed', note }));
