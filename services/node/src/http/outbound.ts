import http from 'node:http';
import https from 'node:https';
import { isIP, type LookupFunction, type Socket } from 'node:net';
import tls, { type TLSSocket } from 'node:tls';
import { currentKey, type TlsCredential } from '@bridge/crypto';

export type OutboundAgents = Record<'http:' | 'https:', http.Agent>;

/**
 * Keep-alive connections for what this node POSTs. Node's agent honours the server's
 * `Keep-Alive: timeout` hint, closing an idle connection before the server does. A `lookup`, if
 * given, resolves the host of every new connection (webhooks use it to refuse inward addresses).
 */
export function createAgents(options: { lookup?: LookupFunction } = {}): OutboundAgents {
  const lookup = options.lookup ? { lookup: options.lookup } : {};
  return {
    'http:': new http.Agent({ keepAlive: true, maxSockets: 64, ...lookup }),
    'https:': new https.Agent({ keepAlive: true, maxSockets: 64, ...lookup }),
  };
}

/** The agents of peers and, when local targets are allowed, webhook receivers. */
const defaultAgents = createAgents();

/**
 * Which server certificates a peer connection accepts: the SHA-256 (hex) of each certificate
 * pinned for that peer, or `any` only to read a new peer's metadata at onboarding, whose
 * certificate the operator then pins by comparing the node fingerprint.
 */
export type CertificatePins = readonly string[] | 'any';

/** SHA-256 (lowercase hex) of the certificate the other end of a TLS socket presented, if any. */
export function presentedCertificate(socket: Socket): string | undefined {
  const certificate = (socket as TLSSocket).getPeerCertificate?.();
  return certificate?.fingerprint256 ? certificate.fingerprint256.replace(/:/g, '').toLowerCase() : undefined;
}

type PinnedOptions = tls.ConnectionOptions & { pins?: CertificatePins };

/**
 * Peer connections: no CA, the certificate is trusted only if its SHA-256 is pinned for the peer.
 * The socket is handed to the request only after the handshake and the pin check, so nothing is
 * written to a server that is not the pinned peer. Connections are pooled per pin set too.
 */
class PinningAgent extends https.Agent {
  override getName(options?: PinnedOptions): string {
    const pins = options?.pins;
    return `${super.getName(options as https.RequestOptions)}:${pins === 'any' ? 'any' : (pins ?? []).join(',')}`;
  }

  override createConnection(args: http.ClientRequestArgs, callback?: (err: Error | null, stream: Socket) => void): undefined {
    const options = args as PinnedOptions;
    const pins = options.pins;
    const host = options.host ?? 'localhost';
    const socket = tls.connect({
      ...options,
      minVersion: 'TLSv1.2',
      servername: isIP(host) ? '' : host,
      // The chain is not checked against any CA: the pin below is the whole check.
      rejectUnauthorized: false,
    });
    const fail = (err: Error) => {
      socket.destroy();
      callback?.(err, socket);
    };
    socket.once('error', fail);
    socket.once('secureConnect', () => {
      socket.off('error', fail);
      const presented = presentedCertificate(socket);
      if (pins !== 'any' && (!presented || !pins?.includes(presented))) {
        return fail(Object.assign(new Error('the peer presented a certificate that is not pinned'), { code: 'CERT_NOT_PINNED' }));
      }
      callback?.(null, socket);
    });
    return undefined;
  }
}

const peerAgentCache = new WeakMap<TlsCredential, OutboundAgents>();
const anonymousPeerAgents: OutboundAgents = { 'http:': defaultAgents['http:'], 'https:': new PinningAgent({ keepAlive: true, maxSockets: 64 }) };

/**
 * The agents this node reaches peers with: https connections present the node's current TLS
 * certificate as client certificate and accept only the pinned server certificate (`pins`).
 */
export function peerAgents(config: { tls?: TlsCredential[] | undefined }, now = new Date()): OutboundAgents {
  if (!config.tls?.length) return anonymousPeerAgents;
  const credential = currentKey(config.tls, now);
  let agents = peerAgentCache.get(credential);
  if (agents === undefined) {
    agents = {
      'http:': defaultAgents['http:'],
      'https:': new PinningAgent({ keepAlive: true, maxSockets: 64, cert: credential.certificate, key: credential.privateKey }),
    };
    peerAgentCache.set(credential, agents);
  }
  return agents;
}

export interface OutboundResponse {
  status: number;
  /** The answer's body as text (at most `maxResponseBytes`). */
  text: string;
  /** Over https: SHA-256 of the server's certificate (what onboarding pins). */
  certificate?: string | undefined;
}

export interface OutboundOptions {
  timeoutMs: number;
  maxResponseBytes: number;
  agents?: OutboundAgents;
  /** For peer agents: the server certificates accepted over https. */
  pins?: CertificatePins;
}

/** GETs `url` like `postOutbound` POSTs (peers' metadata and keys). */
export function getOutbound(url: string, headers: Record<string, string>, options: OutboundOptions): Promise<OutboundResponse> {
  return requestOutbound('GET', url, undefined, headers, options);
}

/**
 * POSTs `body` to `url` and reads the answer, all within `timeoutMs`. node:http rather than fetch:
 * on the delivery path fetch cost the sending node about a tenth of its CPU. Like
 * `fetch(…, { redirect: 'error' })` it never follows a redirect (a 3xx is only a status), and it
 * reads at most `maxResponseBytes` of the answer, so a peer cannot make this node buffer without
 * bound (0: only the status is wanted; the body is dropped). Network failures reject with their `code` (ECONNREFUSED, ECONNRESET, …); the timeout
 * rejects with an `AbortError`. `agents` replaces the shared ones (their pool and their `lookup`).
 */
export function postOutbound(url: string, body: string, headers: Record<string, string>, options: OutboundOptions): Promise<OutboundResponse> {
  return requestOutbound('POST', url, body, headers, options);
}

function requestOutbound(method: 'GET' | 'POST', url: string, body: string | undefined, headers: Record<string, string>, options: OutboundOptions): Promise<OutboundResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const agent = (options.agents ?? defaultAgents)[target.protocol as keyof OutboundAgents] as http.Agent | undefined;
    if (!agent) return reject(Object.assign(new Error(`cannot ${method} a ${target.protocol} URL`), { code: 'UNSUPPORTED_PROTOCOL' }));
    const request = (target.protocol === 'https:' ? https : http).request(target, {
      method,
      agent,
      headers: body === undefined ? headers : { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      signal: AbortSignal.timeout(options.timeoutMs),
      ...(options.pins ? { pins: options.pins } : {}),
    } as https.RequestOptions);
    request.on('error', reject);
    request.on('response', (response) => {
      const certificate = presentedCertificate(response.socket);
      if (options.maxResponseBytes === 0) {
        // Only the status counts: the body is read and dropped, so the connection can be reused.
        response.resume();
        return resolve({ status: response.statusCode ?? 0, text: '', certificate });
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxResponseBytes) request.destroy(Object.assign(new Error('the answer is too large'), { code: 'RESPONSE_TOO_LARGE' }));
        else chunks.push(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8'), certificate }));
      response.on('error', reject);
    });
    request.end(body);
  });
}
