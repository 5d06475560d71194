import { CompleteReferral } from '@bridge/contract';
import { statusRoute } from './status-route.ts';

/** The receiver completes a running referral, with an outcome code. */
export const completeReferralRoute = statusRoute('completeReferral', CompleteReferral, ({ outcome, note }) => ({ status: 'completed', reason: outcome, note }));
