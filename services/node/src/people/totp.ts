import { generateSecret, generateURI, verify } from 'otplib';

/** RFC 6238 with the parameters every authenticator app supports: SHA-1, 6 digits, 30 s. */
export const newTotpSecret = (): string => generateSecret({ length: 20 });

export const totpUri = (secret: string, issuer: string, label: string): string => generateURI({ issuer, label, secret, algorithm: 'sha1', digits: 6, period: 30 });

/**
 * The time step of `code` when it is valid now (±1 step of clock drift) and later than the last
 * accepted step; null otherwise. The caller stores the step in the same UPDATE that checks it is
 * still later, so a code is accepted once even under concurrency (ASVS 6.5.1).
 */
export async function totpStep(secret: string, code: string, now: Date, lastStep: number | null): Promise<number | null> {
  if (!/^[0-9]{6}$/.test(code)) return null;
  const result = await verify({
    secret,
    token: code,
    epoch: Math.floor(now.getTime() / 1000),
    epochTolerance: 30,
    ...(lastStep === null ? {} : { afterTimeStep: lastStep }),
  });
  return result.valid ? (result as { timeStep: number }).timeStep : null;
}
