// Which address a request comes from, for throttling and logs. The socket's peer, unless the
// operator has named the reverse proxies in front of the app: only then is X-Forwarded-For
// read, and only its right-most hop that none of them added, since everything to the left of
// that was written by the client and can say anything.

import { BlockList, isIP } from 'node:net';

/** The proxies whose X-Forwarded-For is believed, parsed once (see `trustedProxies`). */
export interface TrustedProxies {
  readonly entries: readonly string[];
  has(address: string): boolean;
}

const MAPPED_IPV4 = /^::ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i;

/**
 * An address in one spelling: an IPv4-mapped IPv6 address becomes its IPv4 address, a zone
 * (`%eth0`) is dropped, IPv6 is lower case. Null when `text` is not an IP address.
 */
export function normaliseAddress(text: string): string | null {
  const bare = text.trim().replace(/%.*$/, '');
  const version = isIP(bare);
  if (version === 4) return bare;
  if (version !== 6) return null;
  const lower = bare.toLowerCase();
  const dotted = MAPPED_IPV4.exec(lower)?.[1];
  if (dotted && isIP(dotted) === 4) return dotted;
  const groups = ipv6Groups(lower);
  // The hex spelling of a mapped address (::ffff:c000:201), as some stacks print it.
  if (groups.slice(0, 5).every((g) => g === 0) && groups[5] === 0xffff) {
    return [groups[6]! >> 8, groups[6]! & 0xff, groups[7]! >> 8, groups[7]! & 0xff].join('.');
  }
  return lower;
}

/** The eight 16-bit groups of a valid IPv6 address (an embedded IPv4 tail included). */
function ipv6Groups(address: string): number[] {
  let text = address;
  const tail = /(\d{1,3}(?:\.\d{1,3}){3})$/.exec(text)?.[1];
  if (tail) {
    const [a, b, c, d] = tail.split('.').map(Number) as [number, number, number, number];
    text = `${text.slice(0, -tail.length)}${((a << 8) | b).toString(16)}:${((c << 8) | d).toString(16)}`;
  }
  const [left = '', right] = text.split('::');
  const parse = (part: string): number[] => (part === '' ? [] : part.split(':').map((g) => parseInt(g, 16)));
  const head = parse(left);
  if (right === undefined) return head;
  const rest = parse(right);
  return [...head, ...new Array<number>(8 - head.length - rest.length).fill(0), ...rest];
}

/**
 * The key an address is throttled under: an IPv4 address as it is, an IPv6 address by its /64
 * (one subscriber's network, which it can fill with addresses at will), written
 * `2001:db8:0:1::/64`. Text that is no IP address is kept as it is, lower case.
 */
export function addressKey(address: string): string {
  const normal = normaliseAddress(address);
  if (normal === null) return address.trim().toLowerCase();
  if (isIP(normal) === 4) return normal;
  return `${ipv6Groups(normal).slice(0, 4).map((g) => g.toString(16)).join(':')}::/64`;
}

/**
 * Parses the configured proxies: addresses (`10.0.0.2`, `::1`) and networks in CIDR notation
 * (`10.0.0.0/8`, `fd00::/8`). Throws on an entry that is neither, naming it.
 */
export function trustedProxies(entries: readonly string[]): TrustedProxies {
  const list = new BlockList();
  for (const entry of entries) {
    const [address = '', prefix, extra] = entry.trim().split('/');
    const normal = normaliseAddress(address);
    const version = normal === null ? 0 : isIP(normal);
    const bits = prefix === undefined ? undefined : Number(prefix);
    const maxBits = version === 4 ? 32 : 128;
    if (
      normal === null ||
      extra !== undefined ||
      (bits !== undefined && (!/^\d{1,3}$/.test(prefix!) || bits > maxBits)) ||
      // A mapped address with a prefix length meant for IPv6 would be ambiguous.
      (version === 4 && isIP(address.trim()) === 6 && bits !== undefined)
    ) {
      throw new Error(`trusted proxy ${JSON.stringify(entry)} is not an IP address or a CIDR network`);
    }
    const type = version === 4 ? 'ipv4' : 'ipv6';
    if (bits === undefined) list.addAddress(normal, type);
    else list.addSubnet(normal, bits, type);
  }
  const frozen = Object.freeze([...entries]);
  return {
    entries: frozen,
    has(address: string): boolean {
      const normal = normaliseAddress(address);
      if (normal === null) return false;
      return list.check(normal, isIP(normal) === 4 ? 'ipv4' : 'ipv6');
    },
  };
}

export type RequestHeaders = Headers | Record<string, string | string[] | undefined>;

function forwardedFor(headers: RequestHeaders): string[] {
  const raw = headers instanceof Headers ? headers.get('x-forwarded-for') : headers['x-forwarded-for'];
  const joined = Array.isArray(raw) ? raw.join(',') : (raw ?? '');
  return joined.split(',').map((hop) => hop.trim()).filter((hop) => hop !== '');
}

/** A hop as proxies write it: `1.2.3.4`, `1.2.3.4:5678`, `2001:db8::1`, `[2001:db8::1]:443`. */
function hopAddress(hop: string): string | null {
  const bracketed = /^\[([^\]]+)\](?::\d+)?$/.exec(hop)?.[1];
  if (bracketed) return normaliseAddress(bracketed);
  const withPort = /^(\d{1,3}(?:\.\d{1,3}){3}):\d+$/.exec(hop)?.[1];
  return normaliseAddress(withPort ?? hop);
}

/**
 * The client's address. With no trusted proxies (the default), the socket's. When the socket's
 * peer is a trusted proxy, the right-most X-Forwarded-For hop that is not itself a trusted
 * proxy; a malformed hop there stops the walk at the last address known to be good.
 * Returns 'unknown' when the socket has no address (a destroyed connection).
 */
export function clientAddress(socketAddress: string | undefined, headers: RequestHeaders, proxies: readonly string[] | TrustedProxies = []): string {
  const socket = socketAddress === undefined ? null : normaliseAddress(socketAddress);
  if (socket === null) return socketAddress?.trim() || 'unknown';
  const trusted = 'has' in proxies ? proxies : trustedProxies(proxies);
  if (trusted.entries.length === 0 || !trusted.has(socket)) return socket;
  let client = socket;
  for (const hop of forwardedFor(headers).reverse()) {
    const address = hopAddress(hop);
    if (address === null) break;
    client = address;
    if (!trusted.has(address)) break;
  }
  return client;
}
