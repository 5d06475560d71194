import { X509Certificate as NodeX509Certificate, createHash, webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/**
 * The TLS identity of a node's federation listener: a P-256 key and a self-signed certificate,
 * pinned by peers through its SHA-256 fingerprint (no CA is involved). The private key is PEM
 * (PKCS#8) because OpenSSL needs it to serve TLS: it lives only inside the encrypted keys.json and
 * in the TLS context of the running node, never in a log or a response.
 */
export interface TlsCredential {
  /** PEM certificate (self-signed). */
  certificate: string;
  /** PEM PKCS#8 private key of the certificate. Never logged, never written unencrypted. */
  privateKey: string;
  validFrom: string;
  validUntil: string | null;
}

/** How long a generated certificate is valid; it is rotated long before (`bridge keys rotate`). */
export const TLS_CERTIFICATE_DAYS = 825;

const algorithm = { name: 'ECDSA', namedCurve: 'P-256', hash: 'SHA-256' } as const;

/** A new TLS key and a self-signed certificate for `nodeId`, valid from `now`. */
export async function generateTlsCredential(nodeId: string, hosts: string[], now: Date): Promise<TlsCredential> {
  x509.cryptoProvider.set(webcrypto as unknown as Crypto);
  // Extractable once, to be written encrypted into keys.json; the running node only holds the PEM.
  const keys = (await webcrypto.subtle.generateKey(algorithm, true, ['sign', 'verify'])) as CryptoKeyPair;
  const notAfter = new Date(now.getTime() + TLS_CERTIFICATE_DAYS * 86_400_000);
  const names = hosts.map((host) => (/^[\d.]+$|:/.test(host) ? { type: 'ip' as const, value: host } : { type: 'dns' as const, value: host }));
  const certificate = await x509.X509CertificateGenerator.createSelfSigned({
    serialNumber: webcrypto.getRandomValues(new Uint8Array(16)).reduce((s, b) => s + b.toString(16).padStart(2, '0'), '7'),
    name: `CN=${nodeId}`,
    notBefore: new Date(now.getTime() - 60_000),
    notAfter,
    signingAlgorithm: algorithm,
    keys,
    extensions: [
      new x509.BasicConstraintsExtension(false, undefined, true),
      new x509.KeyUsagesExtension(x509.KeyUsageFlags.digitalSignature, true),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth, x509.ExtendedKeyUsage.clientAuth]),
      ...(names.length ? [new x509.SubjectAlternativeNameExtension(names)] : []),
    ],
  });
  const pkcs8 = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', keys.privateKey));
  const privateKey = `-----BEGIN PRIVATE KEY-----\n${pkcs8.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
  return { certificate: certificate.toString('pem'), privateKey, validFrom: now.toISOString(), validUntil: null };
}

/** SHA-256 over the DER certificate, lowercase hex: what metadata publishes and peers pin. */
export function certificateSha256(certificate: string | Buffer): string {
  const der = typeof certificate === 'string' ? new NodeX509Certificate(certificate).raw : certificate;
  return createHash('sha256').update(der).digest('hex');
}
