import { TransitionNote } from '@bridge/contract';
import { statusRoute } from './status-route.ts';

/** The receiver starts (or resumes) work on an accepted referral. */
export const startReferralRoute = statusRoute('startReferral', TransitionNote, ({ note }) => ({ status: 'in-progress', note }));
