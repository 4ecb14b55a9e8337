/**
 * The SSRF guard: which IP addresses a catalogue fetch may connect to, and the resolve-then-check
 * step that picks the one address a request is pinned to. Source URLs come from configuration and
 * from redirects chosen by remote servers, so a hostile or compromised source could otherwise point
 * the importer at internal services (cloud metadata, databases, admin panels).
 */
import { lookup } from 'node:dns/promises';
import { isIPv4, isIPv6 } from 'node:net';

export interface ResolvedAddress {
  address: string;
  family: 4 | 6;
}

/** Resolves a hostname to every address it has (not just the first: see {@link resolveChecked}). */
export type Resolver = (hostname: string) => Promise<ResolvedAddress[]>;

export const systemResolver: Resolver = async (hostname) => {
  const found = await lookup(hostname, { all: true, verbatim: true });
  return found.map((a) => ({ address: a.address, family: a.family === 6 ? 6 : 4 }));
};

/** [first address as a 32-bit number, prefix length] */
type V4Range = readonly [number, number];

const FORBIDDEN_V4: readonly V4Range[] = [
  [v4('0.0.0.0'), 8], // "this network", incl. the unspecified address
  [v4('10.0.0.0'), 8], // private
  [v4('100.64.0.0'), 10], // carrier-grade NAT: often reaches provider-internal hosts
  [v4('127.0.0.0'), 8], // loopback
  [v4('169.254.0.0'), 16], // link-local, incl. cloud metadata 169.254.169.254
  [v4('172.16.0.0'), 12], // private
  [v4('192.0.0.0'), 24], // IETF protocol assignments
  [v4('192.168.0.0'), 16], // private
  [v4('198.18.0.0'), 15], // benchmarking networks
  [v4('224.0.0.0'), 4], // multicast
  [v4('240.0.0.0'), 4], // reserved, incl. broadcast 255.255.255.255
];

/**
 * True when a fetch must not connect to `ip`: loopback, private, link-local, CGNAT, unique-local,
 * site-local, unspecified, multicast, reserved, and IPv6 forms that embed such an IPv4 address
 * (IPv4-mapped `::ffff:a.b.c.d`, IPv4-compatible `::a.b.c.d`, NAT64 `64:ff9b::/96`, 6to4
 * `2002::/16`). Anything that does not parse as an IP address is forbidden too (fail closed). A
 * zone id (`fe80::1%eth0`) is ignored.
 */
export function isForbiddenAddress(ip: string): boolean {
  const bare = ip.replace(/^\[(.*)\]$/, '$1').replace(/%.*$/, '');
  if (isIPv4(bare)) return isForbiddenV4(v4(bare));
  const groups = parseV6(bare);
  return groups === null ? true : isForbiddenV6(groups);
}

function isForbiddenV4(n: number): boolean {
  return FORBIDDEN_V4.some(([base, bits]) => n >>> (32 - bits) === base >>> (32 - bits));
}

function isForbiddenV6(g: readonly number[]): boolean {
  const [g0 = 0, g1 = 0, g2 = 0, g3 = 0, g4 = 0, g5 = 0, g6 = 0, g7 = 0] = g;
  const embedded = ((g6 << 16) | g7) >>> 0;
  const upperZero = g0 === 0 && g1 === 0 && g2 === 0 && g3 === 0 && g4 === 0;
  // ::ffff:a.b.c.d is how dual-stack sockets reach IPv4 hosts: judge the IPv4 address.
  if (upperZero && g5 === 0xffff) return isForbiddenV4(embedded);
  // ::/96 holds :: and ::1 plus the deprecated IPv4-compatible form; nothing public lives there.
  if (upperZero && g5 === 0) return true;
  // NAT64 translates to the embedded IPv4 address; the local-use prefix 64:ff9b:1::/48 is private.
  if (g0 === 0x64 && g1 === 0xff9b) {
    if (g2 === 0 && g3 === 0 && g4 === 0 && g5 === 0) return isForbiddenV4(embedded);
    return g2 === 1;
  }
  if (g0 === 0x2002) return isForbiddenV4(((g1 << 16) | g2) >>> 0); // 6to4 relays to a.b.c.d
  if (g0 === 0x100 && g1 === 0 && g2 === 0 && g3 === 0) return true; // discard-only 100::/64
  if ((g0 & 0xfe00) === 0xfc00) return true; // unique-local fc00::/7
  if ((g0 & 0xffc0) === 0xfe80) return true; // link-local fe80::/10
  if ((g0 & 0xffc0) === 0xfec0) return true; // deprecated site-local fec0::/10
  return (g0 & 0xff00) === 0xff00; // multicast ff00::/8
}

function v4(dotted: string): number {
  return dotted.split('.').reduce((n, part) => ((n << 8) | Number(part)) >>> 0, 0);
}

/** The eight 16-bit groups of an IPv6 address (dotted IPv4 tail allowed), or null if invalid. */
function parseV6(text: string): number[] | null {
  if (!isIPv6(text)) return null;
  let s = text.toLowerCase();
  const dotted = /(\d+\.\d+\.\d+\.\d+)$/.exec(s);
  if (dotted?.[1] !== undefined) {
    const n = v4(dotted[1]);
    s = s.slice(0, -dotted[1].length) + `${(n >>> 16).toString(16)}:${(n & 0xffff).toString(16)}`;
  }
  const [head = '', tail] = s.split('::');
  const parts = (p: string) => (p === '' ? [] : p.split(':').map((h) => parseInt(h, 16)));
  const front = parts(head);
  if (tail === undefined) return front;
  const back = parts(tail);
  return [...front, ...new Array<number>(8 - front.length - back.length).fill(0), ...back];
}

export type GuardResult = { ok: true; address: ResolvedAddress } | { ok: false; reason: string };

/**
 * Resolves `hostname` (an IP literal is taken as is, brackets allowed) and returns the address to
 * pin the connection to. Refuses when ANY resolved address is forbidden, not only the first: a
 * name with one public and one private record would otherwise reach the private one whenever the
 * resolver's order changes. Resolver failures (unknown host) are thrown, not returned.
 */
export async function resolveChecked(
  hostname: string,
  opts: { allowPrivate: boolean; resolve: Resolver },
): Promise<GuardResult> {
  const bare = hostname.replace(/^\[(.*)\]$/, '$1');
  const literal = isIPv4(bare) ? 4 : isIPv6(bare) ? 6 : 0;
  const addresses: ResolvedAddress[] =
    literal === 0 ? await opts.resolve(bare) : [{ address: bare, family: literal }];
  const first = addresses[0];
  if (first === undefined) return { ok: false, reason: `${hostname} resolved to no address` };
  if (!opts.allowPrivate) {
    const bad = addresses.find((a) => isForbiddenAddress(a.address));
    if (bad !== undefined) {
      return { ok: false, reason: `${hostname} resolves to forbidden address ${bad.address}` };
    }
  }
  return { ok: true, address: first };
}
