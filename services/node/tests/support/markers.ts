/** Values of the demo referral (and of a withdrawal note the tests send) that must never appear in an event. */
export const PERSONAL_MARKERS = ['Dritë', 'Krasniqi', 'ATN-2026-0147', 'P0012345', 'гинеколога', 'Ђаковицу', 'Ђорђевић', 'stay in Belgrade'];
