/**
 * Address classification for outbound connections, the core of `http_get`'s guard
 * against server-side request forgery: which IP addresses are *public* (globally
 * reachable unicast) and which are internal or special (loopback, private, link-local
 * such as the cloud metadata service 169.254.169.254, CGNAT, multicast, reserved, …).
 *
 * Sources: the IANA IPv4 and IPv6 Special-Purpose Address Registries (RFC 6890 and its
 * updates; a range whose "Globally Reachable" is false counts as internal), the IANA
 * IPv6 Address Space registry (only 2000::/3 is allocated global unicast; the rest is
 * reserved or special), RFC 4291 §2.5.5.2 (IPv4-mapped IPv6), RFC 6052 (NAT64
 * 64:ff9b::/96), RFC 3056 (6to4 2002::/16), RFC 5771 (IPv4 multicast), and the OWASP
 * Server-Side Request Forgery Prevention Cheat Sheet (check the address actually
 * connected to, after resolution, for every hop).
 *
 * Deliberately conservative: a few ranges IANA marks globally reachable but that host
 * no web servers (inside 192.0.0.0/24 and 2001::/23) are refused too. Node only (uses
 * `node:net`'s `BlockList`); lives in `stdlib/`, never in `grammar/` or `compiler/`.
 */
import { BlockList, isIP } from "node:net";

/** What an address is, from the point of view of "may a tool connect to it". */
export type AddressKind =
  | "public"
  | "unspecified"
  | "loopback"
  | "private"
  | "link-local"
  | "shared (CGNAT)"
  | "multicast"
  | "broadcast"
  | "documentation"
  | "benchmarking"
  | "reserved";

/** The verdict on one address. */
export interface AddressClass {
  readonly kind: AddressKind;
  /** The special-purpose range that decided it, in CIDR notation (`169.254.0.0/16`); absent for public addresses. */
  readonly range?: string;
  /** For an IPv6 address that embeds an IPv4 one (IPv4-mapped, NAT64, 6to4): that IPv4 address, which decided the kind. */
  readonly ipv4?: string;
}

type Row = readonly [AddressKind, string];

/** IPv4 special-purpose ranges, most specific first (255.255.255.255 before 240/4). */
const IPV4: readonly Row[] = [
  ["unspecified", "0.0.0.0/8"],
  ["private", "10.0.0.0/8"],
  ["shared (CGNAT)", "100.64.0.0/10"],
  ["loopback", "127.0.0.0/8"],
  ["link-local", "169.254.0.0/16"],
  ["private", "172.16.0.0/12"],
  ["reserved", "192.0.0.0/24"], // IETF protocol assignments
  ["documentation", "192.0.2.0/24"],
  ["reserved", "192.88.99.0/24"], // deprecated 6to4 relay anycast (RFC 7526)
  ["private", "192.168.0.0/16"],
  ["benchmarking", "198.18.0.0/15"],
  ["documentation", "198.51.100.0/24"],
  ["documentation", "203.0.113.0/24"],
  ["multicast", "224.0.0.0/4"],
  ["broadcast", "255.255.255.255/32"],
  ["reserved", "240.0.0.0/4"],
];

/** IPv6 special-purpose ranges (after embedded IPv4 addresses are handled); outside 2000::/3 is reserved. */
const IPV6: readonly Row[] = [
  ["unspecified", "::/128"],
  ["loopback", "::1/128"],
  ["private", "64:ff9b:1::/48"], // local-use IPv4/IPv6 translation (RFC 8215)
  ["reserved", "2001::/23"], // IETF protocol assignments, Teredo included
  ["documentation", "2001:db8::/32"],
  ["documentation", "3fff::/20"], // RFC 9637
  ["private", "fc00::/7"], // unique local
  ["link-local", "fe80::/10"],
  ["private", "fec0::/10"], // deprecated site-local (RFC 3879)
  ["multicast", "ff00::/8"],
];

const compile = (rows: readonly Row[], type: "ipv4" | "ipv6") =>
  rows.map(([kind, range]) => {
    const [network, bits] = range.split("/");
    const list = new BlockList();
    list.addSubnet(network, Number(bits), type);
    return { kind, range, list };
  });
// Built on first use, not at load: every `rag` command that reads a config loads this
// module (the standard tools), and only `http_get` ever classifies an address.
let v4: ReturnType<typeof compile> | undefined;
let v6: ReturnType<typeof compile> | undefined;
const V4 = () => (v4 ??= compile(IPV4, "ipv4"));
const V6 = () => (v6 ??= compile(IPV6, "ipv6"));

/**
 * Classifies an IP address (IPv4 dotted quad, or IPv6 in any textual form, including
 * `::ffff:a.b.c.d`). An IPv6 address embedding an IPv4 one — IPv4-mapped
 * (::ffff:0:0/96), NAT64 (64:ff9b::/96) or 6to4 (2002::/16) — takes the kind of the
 * embedded address, since a connection to it reaches that address.
 *
 * @throws TypeError when `address` is not an IP address (host names are resolved first).
 */
export function classifyAddress(address: string): AddressClass {
  const family = isIP(address);
  if (family === 4) return classifyIpv4(address);
  if (family !== 6) throw new TypeError(`not an IP address: \`${address}\``);
  const words = ipv6Words(address);
  const ipv4 = embeddedIpv4(words);
  if (ipv4 !== undefined) return { ...classifyIpv4(ipv4), ipv4 };
  const canonical = formatWords(words);
  for (const row of V6()) if (row.list.check(canonical, "ipv6")) return { kind: row.kind, range: row.range };
  if ((words[0] & 0xe000) !== 0x2000) return { kind: "reserved", range: "outside 2000::/3" };
  return { kind: "public" };
}

/**
 * One spelling per address, for comparing a resolved address with an allowlist entry:
 * IPv4 as is, IPv4-mapped IPv6 as its IPv4 address, other IPv6 in the compressed
 * lower-case form of RFC 5952 (as the WHATWG URL parser writes it). Not an IP: `undefined`.
 */
export function canonicalAddress(address: string): string | undefined {
  const family = isIP(address);
  if (family === 4) return address;
  if (family !== 6) return undefined;
  const words = ipv6Words(address);
  return isMapped(words) ? wordsToIpv4(words[6], words[7]) : formatWords(words);
}

function classifyIpv4(address: string): AddressClass {
  for (const row of V4()) if (row.list.check(address, "ipv4")) return { kind: row.kind, range: row.range };
  return { kind: "public" };
}

/**
 * The eight 16-bit groups of an IPv6 address (assumed valid), via the WHATWG URL
 * parser's normalisation. A zone index (`fe80::1%eth0`, which `isIP` accepts and URLs
 * do not) is dropped: it picks an interface, not a different address.
 */
function ipv6Words(address: string): number[] {
  const zone = address.indexOf("%");
  const host = new URL(`http://[${zone < 0 ? address : address.slice(0, zone)}]/`).hostname.slice(1, -1); // hex groups only, at most one `::`
  const [head, tail] = host.split("::");
  const groups = (s: string | undefined) => (s ? s.split(":") : []);
  const all = tail === undefined ? groups(head) : [...groups(head), ...Array<string>(8 - groups(head).length - groups(tail).length).fill("0"), ...groups(tail)];
  return all.map((g) => parseInt(g, 16));
}

const formatWords = (w: readonly number[]) => new URL(`http://[${w.map((x) => x.toString(16)).join(":")}]/`).hostname.slice(1, -1);
const wordsToIpv4 = (hi: number, lo: number) => `${hi >> 8}.${hi & 255}.${lo >> 8}.${lo & 255}`;
const isMapped = (w: readonly number[]) => w[0] === 0 && w[1] === 0 && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0xffff;

function embeddedIpv4(w: readonly number[]): string | undefined {
  if (isMapped(w)) return wordsToIpv4(w[6], w[7]);
  if (w[0] === 0x64 && w[1] === 0xff9b && w[2] === 0 && w[3] === 0 && w[4] === 0 && w[5] === 0) return wordsToIpv4(w[6], w[7]);
  if (w[0] === 0x2002) return wordsToIpv4(w[1], w[2]);
  return undefined;
}
