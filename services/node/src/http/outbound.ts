import http from 'node:http';
import https from 'node:https';
import type { LookupFunction } from 'node:net';

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

export interface OutboundResponse {
  status: number;
  /** The answer's body as text (at most `maxResponseBytes`). */
  text: string;
}

/**
 * POSTs `body` to `url` and reads the answer, all within `timeoutMs`. node:http rather than fetch:
 * on the delivery path fetch cost the sending node about a tenth of its CPU. Like
 * `fetch(…, { redirect: 'error' })` it never follows a redirect (a 3xx is only a status), and it
 * reads at most `maxResponseBytes` of the answer, so a peer cannot make this node buffer without
 * bound (0: only the status is wanted; the body is dropped). Network failures reject with their `code` (ECONNREFUSED, ECONNRESET, …); the timeout
 * rejects with an `AbortError`. `agents` replaces the shared ones (their pool and their `lookup`).
 */
export function postOutbound(
  url: string,
  body: string,
  headers: Record<string, string>,
  options: { timeoutMs: number; maxResponseBytes: number; agents?: OutboundAgents },
): Promise<OutboundResponse> {
  return new Promise((resolve, reject) => {
    const target = new URL(url);
    const agent = (options.agents ?? defaultAgents)[target.protocol as keyof OutboundAgents] as http.Agent | undefined;
    if (!agent) return reject(Object.assign(new Error(`cannot POST to a ${target.protocol} URL`), { code: 'UNSUPPORTED_PROTOCOL' }));
    const request = (target.protocol === 'https:' ? https : http).request(target, {
      method: 'POST',
      agent,
      headers: { ...headers, 'content-length': String(Buffer.byteLength(body)) },
      signal: AbortSignal.timeout(options.timeoutMs),
    });
    request.on('error', reject);
    request.on('response', (response) => {
      if (options.maxResponseBytes === 0) {
        // Only the status counts: the body is read and dropped, so the connection can be reused.
        response.resume();
        return resolve({ status: response.statusCode ?? 0, text: '' });
      }
      const chunks: Buffer[] = [];
      let size = 0;
      response.on('data', (chunk: Buffer) => {
        size += chunk.length;
        if (size > options.maxResponseBytes) request.destroy(Object.assign(new Error('the answer is too large'), { code: 'RESPONSE_TOO_LARGE' }));
        else chunks.push(chunk);
      });
      response.on('end', () => resolve({ status: response.statusCode ?? 0, text: Buffer.concat(chunks).toString('utf8') }));
      response.on('error', reject);
    });
    request.end(body);
  });
}
