/**
 * A software WebAuthn authenticator for tests, built on node:crypto: it answers the node's creation
 * and request options with real attestation ("none") and assertion signatures (ES256), as a browser
 * with a platform authenticator would, so the server's verification (@simplewebauthn/server) runs
 * unmocked. Flags and counters can be bent to test the refusals.
 */
import { createHash, generateKeyPairSync, randomBytes, sign, type KeyObject } from 'node:crypto';

type Cbor = number | string | Uint8Array | Cbor[] | Map<Cbor, Cbor> | { [k: string]: Cbor };

function head(major: number, n: number): Buffer {
  if (n < 24) return Buffer.from([(major << 5) | n]);
  if (n < 256) return Buffer.from([(major << 5) | 24, n]);
  if (n < 65536) return Buffer.from([(major << 5) | 25, n >> 8, n & 255]);
  const b = Buffer.alloc(5);
  b[0] = (major << 5) | 26;
  b.writeUInt32BE(n, 1);
  return b;
}

/** The small CBOR subset WebAuthn needs: integers, text, bytes, arrays and maps. */
export function cbor(value: Cbor): Buffer {
  if (typeof value === 'number') return value >= 0 ? head(0, value) : head(1, -1 - value);
  if (typeof value === 'string') return Buffer.concat([head(3, Buffer.byteLength(value)), Buffer.from(value)]);
  if (value instanceof Uint8Array) return Buffer.concat([head(2, value.length), Buffer.from(value)]);
  if (Array.isArray(value)) return Buffer.concat([head(4, value.length), ...value.map(cbor)]);
  const entries = value instanceof Map ? [...value.entries()] : Object.entries(value);
  return Buffer.concat([head(5, entries.length), ...entries.flatMap(([k, v]) => [cbor(k), cbor(v)])]);
}

const b64u = (b: Uint8Array | string) => Buffer.from(b).toString('base64url');
const sha256 = (b: Uint8Array | string) => createHash('sha256').update(b).digest();

export interface Bend {
  origin?: string;
  rpId?: string;
  userVerified?: boolean;
  backedUp?: boolean;
  counter?: number;
}

export class SoftAuthenticator {
  readonly credentialId = randomBytes(16);
  private readonly keys = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  private counter = 0;
  private userHandle = '';

  constructor(readonly origin: string, readonly rpId: string) {}

  private authData(bend: Bend, attested: Buffer | null): Buffer {
    const flags = 0x01 | (bend.userVerified === false ? 0 : 0x04) | (bend.backedUp ? 0x18 : 0) | (attested ? 0x40 : 0);
    const count = Buffer.alloc(4);
    count.writeUInt32BE(bend.counter ?? this.counter);
    return Buffer.concat([sha256(bend.rpId ?? this.rpId), Buffer.from([flags]), count, ...(attested ? [attested] : [])]);
  }

  /** Answers `navigator.credentials.create()` options as JSON (attestation "none"). */
  create(publicKey: Record<string, unknown>, bend: Bend = {}): Record<string, unknown> {
    this.userHandle = (publicKey.user as { id: string }).id;
    const jwk = this.keys.publicKey.export({ format: 'jwk' });
    const cose = new Map<Cbor, Cbor>([
      [1, 2],
      [3, -7],
      [-1, 1],
      [-2, Buffer.from(jwk.x!, 'base64url')],
      [-3, Buffer.from(jwk.y!, 'base64url')],
    ]);
    const idLength = Buffer.from([0, this.credentialId.length]);
    const attested = Buffer.concat([Buffer.alloc(16), idLength, this.credentialId, cbor(cose)]);
    const clientDataJSON = JSON.stringify({ type: 'webauthn.create', challenge: publicKey.challenge, origin: bend.origin ?? this.origin, crossOrigin: false });
    const attestationObject = cbor({ fmt: 'none', attStmt: {}, authData: this.authData(bend, attested) });
    return {
      id: b64u(this.credentialId),
      rawId: b64u(this.credentialId),
      type: 'public-key',
      response: { clientDataJSON: b64u(clientDataJSON), attestationObject: b64u(attestationObject), transports: ['internal'] },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }

  /** Answers `navigator.credentials.get()` options as JSON, with the next signature counter. */
  get(publicKey: Record<string, unknown>, bend: Bend = {}): Record<string, unknown> {
    this.counter += 1;
    const clientDataJSON = JSON.stringify({ type: 'webauthn.get', challenge: publicKey.challenge, origin: bend.origin ?? this.origin, crossOrigin: false });
    const authData = this.authData(bend, null);
    const signature = sign('sha256', Buffer.concat([authData, sha256(clientDataJSON)]), this.keys.privateKey as KeyObject);
    return {
      id: b64u(this.credentialId),
      rawId: b64u(this.credentialId),
      type: 'public-key',
      response: { clientDataJSON: b64u(clientDataJSON), authenticatorData: b64u(authData), signature: b64u(signature), userHandle: this.userHandle },
      clientExtensionResults: {},
      authenticatorAttachment: 'platform',
    };
  }
}
