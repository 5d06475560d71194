/**
 * Per-message cost of sealing and opening a Bridge message, and of signing and verifying its
 * receipt, with the real @bridge/crypto package. Prints one JSON object on stdout.
 *
 *   pnpm bench crypto [--n <iterations>] [--warmup <iterations>]
 */
import { randomUUID } from 'node:crypto';
import {
  generateNodeKeys,
  openMessage,
  publicJwks,
  sealMessage,
  signReceipt,
  verifyReceipt,
  type MessageClaims,
  type OpenMessageOptions,
  type OpenedMessage,
  type PublicJwk,
  type ReceiptClaims,
  type ReceiptExpectation,
} from '../../packages/crypto/src/index.ts';

const DEFAULT_N = 2000;
const DEFAULT_WARMUP = 200;

interface Stats {
  median_us: number;
  p90_us: number;
  p99_us: number;
  ops_per_s: number;
}

function parseCount(args: string[], flag: string, fallback: number): number {
  const i = args.findIndex((a) => a === flag || a.startsWith(`${flag}=`));
  if (i === -1) return fallback;
  const arg = args[i]!;
  const raw = arg.includes('=') ? arg.slice(arg.indexOf('=') + 1) : args[i + 1];
  const n = Number(raw);
  if (raw === undefined || !Number.isInteger(n) || n < 1) throw new Error(`${flag} needs a positive integer, got ${raw ?? 'nothing'}`);
  return n;
}

const round1 = (x: number): number => Math.round(x * 10) / 10;

/** Nearest-rank percentile of sorted samples (nanoseconds). */
function percentile(sorted: bigint[], p: number): number {
  const rank = Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length)));
  return Number(sorted[rank - 1]!);
}

function median(sorted: bigint[]): number {
  const mid = sorted.length >> 1;
  return sorted.length % 2 === 1 ? Number(sorted[mid]!) : (Number(sorted[mid - 1]!) + Number(sorted[mid]!)) / 2;
}

function stats(samplesNs: bigint[]): Stats {
  const sorted = [...samplesNs].sort((a, b) => (a < b ? -1 : a > b ? 1 : 0));
  const medianUs = median(sorted) / 1000;
  return {
    median_us: round1(medianUs),
    p90_us: round1(percentile(sorted, 90) / 1000),
    p99_us: round1(percentile(sorted, 99) / 1000),
    ops_per_s: Math.round(1e6 / medianUs),
  };
}

/** A referral.request body as it leaves a node: pseudonymised person, consent, services, risk (~1.5 KB). */
function referralBody(): Record<string, unknown> {
  return {
    services: ['SAFE_ACCOMMODATION', 'PRIMARY_MEDICAL_CARE', 'PSYCHOSOCIAL_SUPPORT', 'LEGAL_COUNSELLING', 'LEGAL_STATUS_AND_DOCUMENTS'],
    urgency: 'URGENT',
    personCategory: 'PRESUMED_TRAFFICKING_VICTIM',
    phase: 'FIRST_ASSISTANCE',
    risk: { level: 'HIGH', threats: ['TRAFFICKER_CONTACT', 'RETRAFFICKING', 'DEBT_BONDAGE'] },
    person: {
      pseudonym: 'q3V9xK2mR8tL0pW5yZ7aB4cD6eF1gH3iJ5kM7nO9pQ2',
      givenName: 'Јелена',
      familyName: 'Krasniqi-Çeliku',
      ageBand: '18-25',
      birthDate: '2003-04-17',
      gender: 'FEMALE',
      languages: ['sr-Cyrl', 'sq', 'en'],
      accompanyingChildren: 1,
      urgentHealthNeeds:
        'Needs insulin within 24 hours (type 1 diabetes); recent untreated injury to the left wrist. Има дете од 3 године које треба педијатријски преглед.',
      nationality: 'XK',
      documentNumber: 'P0048812',
    },
    consent: {
      givenAt: '2026-11-24T09:12:00Z',
      method: 'WRITTEN',
      language: 'sr-Cyrl',
      recipient: 'pvpt',
      services: ['SAFE_ACCOMMODATION', 'PRIMARY_MEDICAL_CARE', 'PSYCHOSOCIAL_SUPPORT', 'LEGAL_COUNSELLING', 'LEGAL_STATUS_AND_DOCUMENTS'],
      dataCategories: ['IDENTITY', 'AGE', 'GENDER', 'LANGUAGE', 'FAMILY', 'HEALTH', 'NATIONALITY', 'DOCUMENTS'],
      validUntil: '2027-05-24T09:12:00Z',
      legalBasis: 'CONSENT',
      recordedBy: 'Драгана Петровић',
      witness: 'Arbëresha Gashi',
    },
    note:
      'Лице је идентификовано на граничном прелазу Јарење; тражи смештај у Приштини у близини сестре (Drita Hoxha, Prishtinë). Kërkon përkthyes për shqip gjatë intervistës së parë.',
  };
}

export async function run(args: string[]): Promise<unknown> {
  const n = parseCount(args, '--n', DEFAULT_N);
  const warmup = parseCount(args, '--warmup', DEFAULT_WARMUP);

  const keysAt = new Date();
  const sender = await generateNodeKeys(keysAt); // atina
  const receiver = await generateNodeKeys(keysAt); // pvpt
  const receiverPublic = publicJwks(receiver).keys;
  const receiverEncryption = receiverPublic.find((k) => k.purpose === 'encryption');
  const senderSigning = publicJwks(sender).keys.find((k) => k.purpose === 'signing');
  if (!receiverEncryption || !senderSigning) throw new Error('generateNodeKeys did not yield an encryption and a signing key');
  const signingKey = sender.signing[0]!;
  const receiptKey = receiver.signing[0]!;
  const body = referralBody();
  const referralId = randomUUID();

  const claims = (): MessageClaims => {
    const iat = Math.floor(Date.now() / 1000);
    return { iss: 'atina', aud: 'pvpt', iat, exp: iat + 300, jti: randomUUID(), type: 'referral.request', referralId, seq: 1, prev: null, body };
  };
  const openOptions = (): OpenMessageOptions => ({
    decryptionKeys: receiver.encryption,
    audience: 'pvpt',
    now: new Date(),
    acceptanceWindowSeconds: 300,
    maxBytes: 262144,
    resolveSenderKey: async (): Promise<PublicJwk> => senderSigning,
  });
  const receiptClaims = (opened: OpenedMessage): ReceiptClaims => ({
    iss: 'pvpt',
    aud: 'atina',
    iat: Math.floor(Date.now() / 1000),
    jti: randomUUID(),
    messageId: opened.claims.jti,
    digest: opened.digest,
    logIndex: 0,
  });
  const expectation = (opened: OpenedMessage): ReceiptExpectation => ({
    iss: 'pvpt',
    aud: 'atina',
    messageId: opened.claims.jti,
    digests: [opened.digest],
    issuerKeys: receiverPublic,
  });

  /**
   * One pass of `count` messages, each operation timed alone over all messages in turn.
   * Inputs (claims, options, expectations) are built outside the timed call.
   */
  async function pass(count: number) {
    const t = { seal: [] as bigint[], open: [] as bigint[], sign: [] as bigint[], verify: [] as bigint[] };
    const sealed: string[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const c = claims();
      const t0 = process.hrtime.bigint();
      sealed[i] = await sealMessage(c, signingKey, receiverEncryption!);
      t.seal.push(process.hrtime.bigint() - t0);
    }
    const opened: OpenedMessage[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const o = openOptions();
      const t0 = process.hrtime.bigint();
      opened[i] = await openMessage(sealed[i]!, o);
      t.open.push(process.hrtime.bigint() - t0);
    }
    const receipts: string[] = new Array(count);
    for (let i = 0; i < count; i++) {
      const c = receiptClaims(opened[i]!);
      const t0 = process.hrtime.bigint();
      receipts[i] = await signReceipt(c, receiptKey);
      t.sign.push(process.hrtime.bigint() - t0);
    }
    for (let i = 0; i < count; i++) {
      const e = expectation(opened[i]!);
      const t0 = process.hrtime.bigint();
      const verified = await verifyReceipt(receipts[i]!, e);
      t.verify.push(process.hrtime.bigint() - t0);
      if (verified.messageId !== opened[i]!.claims.jti) throw new Error('receipt verified for the wrong message');
    }
    return { t, sealed };
  }

  await pass(warmup);
  const { t, sealed } = await pass(n);

  const result = {
    benchmark: 'crypto',
    node: process.version,
    iterations: n,
    warmup,
    sealMessage: stats(t.seal),
    openMessage: stats(t.open),
    signReceipt: stats(t.sign),
    verifyReceipt: stats(t.verify),
    sealedBytes: Buffer.byteLength(sealed[0]!),
    bodyBytes: Buffer.byteLength(JSON.stringify(body)),
    note:
      'sealing = Ed25519 sign + X25519 ECDH-ES+A256KW + A256GCM (node:crypto, keys imported once and cached); ' +
      'opening = size/header checks + decrypt + Ed25519 verify (node:crypto) + claim checks + SHA-256 digest; ' +
      'receipts = Ed25519 JWS sign / verify (node:crypto) + claim checks. Each call timed alone with process.hrtime.bigint(), ' +
      'sequential awaits on a single thread on this machine; figures are per message, not throughput under concurrency.',
  };
  process.stdout.write(`${JSON.stringify(result, null, 2)}\n`);
  return result;
}
