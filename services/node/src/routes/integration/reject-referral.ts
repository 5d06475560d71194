import { RejectReferral } from '@bridge/contract';
import { statusRoute } from './status-route.ts';

/** The receiver rejects a received referral, with a rejection reason code. */
export const rejectReferralRoute = statusRoute('rejectReferral', RejectReferral, ({ reason, note }) => ({ status: 'rejected', reason, note }));
