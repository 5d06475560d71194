import { createServer, type IncomingMessage, type Server } from 'node:http';
import { compactDecrypt } from 'jose';
import { generateNodeKeys, publicJwks, sha256Digest, type MessageClaims, type NodeKeySet } from '@bridge/crypto';
import { nodeMetadata } from '../../src/federation/metadata.ts';

export type Responder = (claims: MessageClaims, digest: string, keys: NodeKeySet) => Promise<{ status: number; body: unknown; headers?: Record<string, string> }>;

export interface FakePeer {
  nodeId: string;
  url: string;
  keys: NodeKeySet;
  received: string[];
  respond: Responder;
  close(): Promise<void>;
}

/**
 * A peer with real keys whose answers to messages the test decides: it decrypts what it gets
 * (without verifying the sender) and replies as `respond` says, so the sender's checks are tested.
 */
export async function startFakePeer(nodeId: string, respond: Responder): Promise<FakePeer> {
  const keys = await generateNodeKeys(new Date(Date.now() - 60_000));
  let url = '';
  const peer: FakePeer = { nodeId, url, keys, received: [], respond, close: async () => {} };
  const server: Server = createServer(async (req, res) => {
    const send = (status: number, body: unknown, headers: Record<string, string> = {}) => {
      res.writeHead(status, { 'content-type': 'application/json', ...headers });
      res.end(JSON.stringify(body));
    };
    if (req.method === 'GET' && req.url === '/.well-known/bridge.json') return send(200, nodeMetadata({ nodeId, name: nodeId, jurisdiction: 'XX', publicUrl: url }));
    if (req.method === 'GET' && req.url === '/.well-known/jwks.json') return send(200, publicJwks(keys));
    if (req.method === 'POST' && req.url === '/federation/v1/messages') {
      const body = await readBody(req);
      peer.received.push(body);
      const { plaintext } = await compactDecrypt(body, keys.encryption[0]!.privateKey);
      const claims = JSON.parse(Buffer.from(new TextDecoder().decode(plaintext).split('.')[1]!, 'base64url').toString()) as MessageClaims;
      const answer = await peer.respond(claims, sha256Digest(body), keys);
      return send(answer.status, answer.body, answer.headers);
    }
    send(404, {});
  });
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  url = `http://127.0.0.1:${(server.address() as { port: number }).port}`;
  peer.url = url;
  peer.close = () => new Promise((r) => server.close(() => r()));
  return peer;
}

function readBody(req: IncomingMessage): Promise<string> {
  return new Promise((resolve) => {
    let data = '';
    req.on('data', (c) => (data += c));
    req.on('end', () => resolve(data));
  });
}
