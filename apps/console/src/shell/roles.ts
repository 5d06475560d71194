import type { UserRole } from '../api/client.ts';

/** Every role, in the order the console lists them. */
export const ROLES = ['case_worker', 'supervisor', 'auditor', 'operator'] as const satisfies readonly UserRole[];
