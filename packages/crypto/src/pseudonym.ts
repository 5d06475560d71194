import { createHmac, randomBytes } from 'node:crypto';

/** A fresh secret for pairwise pseudonyms (stored with the node's keys). */
export function generatePseudonymSecret(): string {
  return randomBytes(32).toString('base64url');
}

/**
 * Pairwise pseudonym: HMAC-SHA256 of the local id and the peer id under the node's secret, so two
 * peers receive unlinkable identifiers for the same person.
 */
export function pairwisePseudonym(secret: string, localId: string, peerNodeId: string): string {
  return createHmac('sha256', Buffer.from(secret, 'base64url')).update(`${peerNodeId}\u0000${localId}`).digest('base64url');
}
