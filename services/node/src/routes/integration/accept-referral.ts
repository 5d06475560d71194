import { TransitionNote } from '@bridge/contract';
import { statusRoute } from './status-route.ts';

/** The receiver accepts a received referral. */
export const acceptReferralRoute = statusRoute('acceptReferral', TransitionNote, ({ note }) => ({ status: 'accepted', note }));
