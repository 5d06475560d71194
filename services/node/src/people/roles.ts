import type { Scope, UserRole } from '@bridge/contract';
import { BridgeError } from '../errors.ts';

/** DESIGN.md §9: each role maps onto the scopes the contract's operations already name. */
const ROLE_SCOPES: Record<UserRole, readonly Scope[]> = {
  case_worker: ['referrals:read', 'referrals:write'],
  supervisor: ['referrals:read', 'referrals:write'],
  auditor: ['audit:read'],
  operator: ['admin'],
};

const SCOPE_ORDER: readonly Scope[] = ['referrals:read', 'referrals:write', 'audit:read', 'admin'];

export function scopesOf(roles: readonly string[]): Scope[] {
  const granted = new Set(roles.flatMap((r) => ROLE_SCOPES[r as UserRole] ?? []));
  return SCOPE_ORDER.filter((s) => granted.has(s));
}

/**
 * Refuses role sets that would let one account read personal data and also administer the node or
 * read the audit log: `admin` and `audit:read` never travel with `referrals:*`.
 */
export function checkRoles(roles: readonly UserRole[]): void {
  const people = roles.some((r) => r === 'case_worker' || r === 'supervisor');
  const oversight = roles.some((r) => r === 'operator' || r === 'auditor');
  if (roles.length === 0) throw new BridgeError(422, 'roles_invalid', 'an account needs at least one role');
  if (people && oversight) throw new BridgeError(422, 'roles_invalid', 'operator and auditor cannot be combined with case_worker or supervisor');
}

/** Operators and auditors must sign in with a passkey (phishing-resistant, DESIGN.md §9). */
export const passkeyOnly = (roles: readonly string[]): boolean => roles.includes('operator') || roles.includes('auditor');
