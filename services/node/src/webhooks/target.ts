import dns, { type LookupAddress } from 'node:dns';
import type { LookupFunction } from 'node:net';
import ipaddr from 'ipaddr.js';
import { createAgents, type OutboundAgents } from '../http/outbound.ts';

/**
 * Where a webhook may point. A subscription makes this node send requests to a URL of the caller's
 * choosing, so unless the operator allows local targets (BRIDGE_WEBHOOK_ALLOW_LOCAL, for the demo
 * and tests) only https to public unicast addresses is allowed: never loopback, link-local (the
 * cloud metadata address 169.254.169.254), private, CGNAT, unique-local, multicast, unspecified or
 * reserved. Checked when the subscription is created and again at every connection, on the very
 * address connected to, so a name that later resolves inward (DNS rebinding) is still refused.
 */

/** The range a forbidden address is in, e.g. `loopback`; undefined for a public unicast address. */
export function forbiddenRange(address: string): string | undefined {
  if (!ipaddr.isValid(address)) return 'invalid';
  // process() turns an IPv4-mapped IPv6 address (::ffff:127.0.0.1) into the IPv4 address it is.
  const range = ipaddr.process(address).range();
  return range === 'unicast' ? undefined : range;
}

/** The host of a URL as an IP address when it is one (brackets of an IPv6 literal removed). */
function ipLiteral(hostname: string): string | undefined {
  const host = hostname.startsWith('[') && hostname.endsWith(']') ? hostname.slice(1, -1) : hostname;
  return ipaddr.isValid(host) ? host : undefined;
}

export type Lookup = (hostname: string, options: { all: true }, callback: (err: NodeJS.ErrnoException | null, addresses: LookupAddress[]) => void) => void;

const systemLookup: Lookup = (hostname, options, callback) => dns.lookup(hostname, options, callback);

/** Why a target is refused; `code` goes to the delivery's `lastError`, `message` to the caller. */
export class TargetForbidden extends Error {
  override readonly name = 'TargetForbidden';
  readonly code = 'ETARGETFORBIDDEN';
}

/** What can be decided from the URL alone: the scheme, and an IP address written in it. */
export function checkTargetUrl(url: URL, allowLocal: boolean): void {
  if (allowLocal) return;
  if (url.protocol !== 'https:') throw new TargetForbidden('must be an https URL');
  const literal = ipLiteral(url.hostname);
  const range = literal === undefined ? undefined : forbiddenRange(literal);
  if (range) throw new TargetForbidden(`must not point at a ${range} address`);
}

/** Resolves the URL's host and refuses it if any of its addresses is forbidden. */
export async function checkTarget(url: URL, allowLocal: boolean, lookup: Lookup = systemLookup): Promise<void> {
  checkTargetUrl(url, allowLocal);
  if (allowLocal || ipLiteral(url.hostname) !== undefined) return;
  const addresses = await new Promise<LookupAddress[]>((resolve, reject) => lookup(url.hostname, { all: true }, (err, found) => (err ? reject(err) : resolve(found))));
  refuseForbidden(addresses);
}

/** The messages name the range, never the host: a URL is the caller's text and is not echoed. */
function refuseForbidden(addresses: LookupAddress[]): void {
  if (addresses.length === 0) throw new TargetForbidden('the host has no address');
  for (const { address } of addresses) {
    const range = forbiddenRange(address);
    if (range) throw new TargetForbidden(`the host resolves to a ${range} address`);
  }
}

/**
 * A `lookup` for net.connect that refuses a name if any of its addresses is forbidden, and otherwise
 * hands over the very addresses it checked: the check and the connection use the same answer.
 * (Node calls it with `all: true` when it tries several addresses, happy-eyeballs style.)
 */
export function guardedLookup(lookup: Lookup = systemLookup): LookupFunction {
  return (hostname, options, callback) => {
    lookup(hostname, { ...options, all: true }, (err, addresses) => {
      if (err) return callback(err, '');
      try {
        refuseForbidden(addresses);
      } catch (refused) {
        return callback(refused as TargetForbidden, '');
      }
      if (options.all) return callback(null, addresses);
      const [first] = addresses;
      callback(null, first!.address, first!.family);
    });
  };
}

/** Keep-alive agents whose every new connection goes through `guardedLookup`; their own pool, never a peer's. */
export function guardedAgents(lookup?: Lookup): OutboundAgents {
  return createAgents({ lookup: guardedLookup(lookup) });
}
