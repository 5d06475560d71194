import { ApiError } from '../api/client.ts';
import { PasskeyCancelled } from './webauthn.ts';

/** The translation key that tells a person what went wrong, from the problem's stable code only. */
export function errorKey(error: unknown): string {
  if (error instanceof PasskeyCancelled) return 'errors.passkeyCancelled';
  if (error instanceof ApiError) {
    switch (error.code) {
      case 'sign_in_failed':
      case 'rate_limited':
      case 'enrolment_invalid':
      case 'password_rejected':
      case 'passkey_invalid':
      case 'passkey_required':
      case 'roles_invalid':
      case 'conflict':
      case 'validation_failed':
      case 'forbidden':
      case 'own_account':
        return `errors.${error.code}`;
      default:
        return 'errors.unexpected';
    }
  }
  return 'errors.unexpected';
}
