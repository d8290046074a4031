import { lookup } from 'node:dns/promises';
import { BlockList, isIP } from 'node:net';

/**
 * Where a webhook may be delivered. `https` to a public address; plain `http` only to a
 * loopback host, and only where the runtime allows it (`npm start`). Checked at subscription
 * time on the URL, and again at delivery time on the addresses its host resolves to, so
 * that DNS cannot point a subscription at the instance metadata service or a private
 * network (SSRF).
 */
const reserved = new BlockList();
for (const [network, prefix] of [
  ['0.0.0.0', 8],
  ['10.0.0.0', 8],
  ['100.64.0.0', 10],
  ['127.0.0.0', 8],
  ['169.254.0.0', 16],
  ['172.16.0.0', 12],
  ['192.0.0.0', 24],
  ['192.0.2.0', 24],
  ['192.88.99.0', 24],
  ['192.168.0.0', 16],
  ['198.18.0.0', 15],
  ['198.51.100.0', 24],
  ['203.0.113.0', 24],
  ['224.0.0.0', 4],
  ['240.0.0.0', 4],
] as const)
  reserved.addSubnet(network, prefix, 'ipv4');
// (IPv4-mapped IPv6 is checked as the IPv4 it carries: a ::ffff:0:0/96 rule would match every IPv4 address.)
for (const [network, prefix] of [
  ['::', 128],
  ['::1', 128],
  ['64:ff9b::', 96],
  ['100::', 64],
  ['2001::', 23],
  ['2001:db8::', 32],
  ['fc00::', 7],
  ['fe80::', 10],
  ['ff00::', 8],
] as const) {
  reserved.addSubnet(network, prefix, 'ipv6');
}
const loopback = new BlockList();
loopback.addSubnet('127.0.0.0', 8, 'ipv4');
loopback.addAddress('::1', 'ipv6');

const family = (address: string) => (isIP(address) === 6 ? 'ipv6' : 'ipv4');
/** `::ffff:10.0.0.1` → `10.0.0.1`; anything else unchanged. */
const unmapped = (address: string) => /^::ffff:(\d+\.\d+\.\d+\.\d+)$/i.exec(address)?.[1] ?? address;
export const isReservedAddress = (address: string) => reserved.check(unmapped(address), family(unmapped(address)));
export const isLoopbackAddress = (address: string) => loopback.check(unmapped(address), family(unmapped(address)));

const unbracket = (host: string) => host.replace(/^\[(.*)\]$/, '$1');
const isLoopbackHost = (host: string) => host === 'localhost' || (isIP(unbracket(host)) !== 0 && isLoopbackAddress(unbracket(host)));

/** Why a URL may not be subscribed, or undefined when it may. */
export function urlProblem(value: string, options: { allowLoopbackHttp: boolean }): string | undefined {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return 'The url field must be a valid URL.';
  }
  if (url.username || url.password) return 'The url field must not contain credentials.';
  if (url.protocol === 'https:') {
    const host = unbracket(url.hostname);
    return isIP(host) !== 0 && isReservedAddress(host) ? 'The url field must point at a public address.' : undefined;
  }
  if (url.protocol === 'http:' && options.allowLoopbackHttp && isLoopbackHost(url.hostname)) return undefined;
  return 'The url field must be an https URL.';
}

export type Resolve = (hostname: string) => Promise<string[]>;

/**
 * The addresses a delivery may connect to, or a reason to refuse it: every address the host
 * resolves to must be public (or loopback where plain http to loopback is allowed).
 */
export async function deliveryAddresses(url: URL, options: { allowLoopbackHttp: boolean; resolve: Resolve }): Promise<{ addresses: string[] } | { refused: string }> {
  const host = unbracket(url.hostname);
  const addresses = isIP(host) !== 0 ? [host] : await options.resolve(host);
  if (addresses.length === 0) return { refused: 'host does not resolve' };
  for (const address of addresses) {
    if (!isReservedAddress(address)) continue;
    if (options.allowLoopbackHttp && isLoopbackAddress(address)) continue;
    return { refused: 'host resolves to a reserved address' };
  }
  return { addresses };
}

/** The addresses a host name resolves to, with the system resolver (what a delivery connects to). */
export const resolveHost: Resolve = async (hostname) => (await lookup(hostname, { all: true })).map((entry) => entry.address);
