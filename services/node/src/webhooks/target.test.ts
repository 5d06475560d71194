import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { LookupAddress } from 'node:dns';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAgents, postOutbound } from '../http/outbound.ts';
import { checkTarget, checkTargetUrl, forbiddenRange, guardedAgents, guardedLookup, TargetForbidden, type Lookup } from './target.ts';

/** A resolver that answers from a table: no DNS traffic leaves this machine. */
const resolver =
  (table: Record<string, string[]>): Lookup =>
  (hostname, _options, callback) => {
    const found = table[hostname];
    if (!found) return callback(Object.assign(new Error(`no ${hostname}`), { code: 'ENOTFOUND' }), []);
    callback(null, found.map((address): LookupAddress => ({ address, family: address.includes(':') ? 6 : 4 })));
  };

describe('forbiddenRange', () => {
  it.each([
    ['169.254.169.254', 'linkLocal'],
    ['127.0.0.1', 'loopback'],
    ['127.8.9.10', 'loopback'],
    ['10.1.2.3', 'private'],
    ['172.16.0.1', 'private'],
    ['192.168.1.1', 'private'],
    ['100.64.0.1', 'carrierGradeNat'],
    ['0.0.0.0', 'unspecified'],
    ['224.0.0.1', 'multicast'],
    ['255.255.255.255', 'broadcast'],
    ['192.0.2.7', 'reserved'],
    ['::1', 'loopback'],
    ['::', 'unspecified'],
    ['::ffff:127.0.0.1', 'loopback'],
    ['::ffff:169.254.169.254', 'linkLocal'],
    ['::ffff:10.0.0.1', 'private'],
    ['fc00::1', 'uniqueLocal'],
    ['fd12:3456::1', 'uniqueLocal'],
    ['fe80::1', 'linkLocal'],
    ['ff02::1', 'multicast'],
    ['not an address', 'invalid'],
  ])('refuses %s (%s)', (address, range) => {
    expect(forbiddenRange(address)).toBe(range);
  });

  it.each(['93.184.216.34', '8.8.8.8', '2606:4700:4700::1111', '::ffff:93.184.216.34'])('allows the public address %s', (address) => {
    expect(forbiddenRange(address)).toBeUndefined();
  });
});

describe('checkTargetUrl and checkTarget', () => {
  const refused = (url: string) => expect(() => checkTargetUrl(new URL(url), false), url).toThrow(TargetForbidden);

  it('refuses plain http and IP addresses written in the URL, in any spelling', () => {
    refused('http://93.184.216.34/hook');
    refused('https://169.254.169.254/latest/meta-data/');
    refused('https://127.0.0.1:8443/hook');
    refused('https://2130706433/hook'); // 127.0.0.1 as one number
    refused('https://0x7f.1/hook');
    refused('https://[::1]/hook');
    refused('https://[::ffff:127.0.0.1]/hook');
    refused('https://[fd00::1]/hook');
    refused('https://[fe80::1]/hook');
    refused('https://10.0.0.8/hook');
    expect(() => checkTargetUrl(new URL('https://93.184.216.34/hook'), false)).not.toThrow();
  });

  it('allows all of them when local targets are allowed', () => {
    for (const url of ['http://127.0.0.1:1/hook', 'http://[::1]/hook', 'https://169.254.169.254/']) expect(() => checkTargetUrl(new URL(url), true)).not.toThrow();
  });

  it('refuses a name if any of its addresses is forbidden', async () => {
    const lookup = resolver({ 'cases.example': ['93.184.216.34'], 'inward.example': ['127.0.0.1'], 'mixed.example': ['93.184.216.34', 'fd00::2'] });
    await expect(checkTarget(new URL('https://cases.example/hook'), false, lookup)).resolves.toBeUndefined();
    await expect(checkTarget(new URL('https://inward.example/hook'), false, lookup)).rejects.toThrow(/the host resolves to a loopback address/);
    await expect(checkTarget(new URL('https://mixed.example/hook'), false, lookup)).rejects.toBeInstanceOf(TargetForbidden);
    await expect(checkTarget(new URL('https://nowhere.example/hook'), false, lookup)).rejects.toMatchObject({ code: 'ENOTFOUND' });
  });
});

describe('guardedLookup at connection time', () => {
  let server: Server;
  let port: number;
  let requests = 0;
  beforeAll(async () => {
    server = createServer((req, res) => {
      requests += 1;
      req.resume();
      res.writeHead(204).end();
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    port = (server.address() as AddressInfo).port;
  });
  afterAll(() => new Promise<void>((resolve) => server.close(() => resolve())));

  const post = (url: string, agents: ReturnType<typeof createAgents>) => postOutbound(url, '{}', { 'content-type': 'application/json' }, { timeoutMs: 5000, maxResponseBytes: 0, agents });

  it('refuses a name that resolves to loopback now, though it looked public before (DNS rebinding)', async () => {
    let answers = 0;
    // First answer public (as at subscription time), then loopback (as at delivery time).
    const rebinding: Lookup = (hostname, options, callback) => resolver({ [hostname]: [answers++ === 0 ? '93.184.216.34' : '127.0.0.1'] })(hostname, options, callback);
    await expect(checkTarget(new URL(`https://rebind.example:${port}/hook`), false, rebinding)).resolves.toBeUndefined();
    const before = requests;
    await expect(post(`http://rebind.example:${port}/hook`, guardedAgents(rebinding))).rejects.toBeInstanceOf(TargetForbidden);
    expect(requests).toBe(before);
    // The same resolver without the guard does reach the receiver: the refusal above is the guard's.
    const plain = resolver({ 'rebind.example': ['127.0.0.1'] });
    const unguarded = createAgents({
      lookup: (host, options, callback) => plain(host, { all: true }, (err, found) => (options.all ? callback(err, found) : callback(err, found[0]!.address, found[0]!.family))),
    });
    await expect(post(`http://rebind.example:${port}/hook`, unguarded)).resolves.toMatchObject({ status: 204 });
    expect(requests).toBe(before + 1);
  });

  it('refuses localhost through the system resolver', async () => {
    const before = requests;
    await expect(post(`http://localhost:${port}/hook`, guardedAgents())).rejects.toMatchObject({ code: 'ETARGETFORBIDDEN' });
    expect(requests).toBe(before);
  });

  it('answers a lookup with or without `all` when every address is public', async () => {
    const lookup = guardedLookup(resolver({ 'cases.example': ['93.184.216.34', '2606:4700:4700::1111'] }));
    const one = await new Promise((resolve, reject) => lookup('cases.example', { all: false }, (err, address, family) => (err ? reject(err) : resolve([address, family]))));
    expect(one).toEqual(['93.184.216.34', 4]);
    const all = await new Promise((resolve, reject) => lookup('cases.example', { all: true }, (err, addresses) => (err ? reject(err) : resolve(addresses))));
    expect(all).toEqual([
      { address: '93.184.216.34', family: 4 },
      { address: '2606:4700:4700::1111', family: 6 },
    ]);
  });
});
