import { type AddressBlock, type AddressBytes, formatAddress, parseCidr } from './ip-address';

/** A block of addresses a relay must never send to, and why. */
export interface DeniedPeerBlock {
  cidr: string;
  why: string;
  /** Loopback: the local profile relays between browsers on 127.0.0.1, so it allows this block. */
  loopback?: true;
}

/**
 * Every peer address a TURN client may not reach through our relay. A TURN server is a packet forwarder on a host
 * inside the owner's VPC; without this list any holder of a credential could talk to the instance metadata service,
 * the VPC's private addresses or the relay itself. coturn before 4.9 also lets IPv4-mapped and other IPv4-embedding
 * IPv6 forms past IPv4-only rules (CVE-2026-27624), so each of those forms is listed too.
 *
 * The special-purpose ranges follow the IANA registries and the Enable Security coturn hardening guide.
 * Deliberately NOT denied: the documentation ranges the tests use (see {@link DOCUMENTATION_BLOCKS}).
 */
export const DENIED_PEER_BLOCKS: readonly DeniedPeerBlock[] = [
  { cidr: '0.0.0.0/8', why: '"this network" (RFC 1122)' },
  { cidr: '10.0.0.0/8', why: 'private (RFC 1918), includes the VPC' },
  { cidr: '100.64.0.0/10', why: 'carrier-grade NAT (RFC 6598)' },
  { cidr: '127.0.0.0/8', why: 'loopback', loopback: true },
  { cidr: '169.254.0.0/16', why: 'link-local, includes EC2 instance metadata 169.254.169.254 and Amazon DNS/NTP' },
  { cidr: '172.16.0.0/12', why: 'private (RFC 1918)' },
  { cidr: '192.0.0.0/24', why: 'IETF protocol assignments (RFC 6890)' },
  { cidr: '192.31.196.0/24', why: 'AS112 DNS sinks for private-address reverse lookups (RFC 7535)' },
  { cidr: '192.52.193.0/24', why: 'AMT relay anycast, tunnels multicast (RFC 7450)' },
  { cidr: '192.88.99.0/24', why: '6to4 relay anycast (RFC 7526)' },
  { cidr: '192.168.0.0/16', why: 'private (RFC 1918)' },
  { cidr: '192.175.48.0/24', why: 'AS112 DNS sinks, direct delegation (RFC 7534)' },
  { cidr: '198.18.0.0/15', why: 'benchmarking (RFC 2544)' },
  { cidr: '224.0.0.0/4', why: 'multicast' },
  { cidr: '240.0.0.0/4', why: 'reserved, up to and including broadcast 255.255.255.255' },
  { cidr: '::/96', why: 'IPv4-compatible IPv6 (deprecated), includes loopback ::1' },
  { cidr: '::ffff:0:0/96', why: 'IPv4-mapped IPv6: every IPv4 address, including all of the above' },
  { cidr: '::ffff:0:0:0/96', why: 'IPv4-translated IPv6 (RFC 2765)' },
  { cidr: '64:ff9b::/96', why: 'NAT64, embeds IPv4 (RFC 6052)' },
  { cidr: '64:ff9b:1::/48', why: 'local-use NAT64, embeds IPv4 (RFC 8215)' },
  { cidr: '100::/64', why: 'discard-only (RFC 6666)' },
  {
    cidr: '2001::/23',
    why: 'IETF protocol assignments: Teredo (embeds IPv4), benchmarking, ORCHID; also AMT 2001:3::/32 and AS112 2001:4:112::/48',
  },
  { cidr: '2002::/16', why: '6to4, embeds IPv4 (RFC 3056)' },
  { cidr: '2620:4f:8000::/48', why: 'AS112 DNS sinks, direct delegation (RFC 7534)' },
  { cidr: '3fff::/20', why: 'documentation (RFC 9637); unlike 2001:db8::/32 no test relays to it, so it is denied' },
  { cidr: '5f00::/16', why: 'SRv6 segment identifiers (RFC 9602): steer packets inside an operator network' },
  { cidr: 'fc00::/7', why: 'unique local, includes EC2 instance metadata fd00:ec2::254' },
  { cidr: 'fe80::/10', why: 'link-local' },
  { cidr: 'fec0::/10', why: 'site-local (deprecated)' },
  { cidr: 'ff00::/8', why: 'multicast' },
];

/**
 * Documentation ranges (RFC 5737, RFC 3849). They are routed nowhere on the Internet and used by no VPC, so relaying
 * to them reaches nothing and denying them protects nothing. We leave them allowed on purpose: the sandbox tests use
 * them as the public-looking addresses of the TURN host, the client and the peer, and prove the allowed path works.
 */
export const DOCUMENTATION_BLOCKS: readonly string[] = [
  '192.0.2.0/24',
  '198.51.100.0/24',
  '203.0.113.0/24',
  '2001:db8::/32',
];

/**
 * The `denied-peer-ip` values for one block. coturn reads a lower bound of all zeros (`0.0.0.0`, `::`) as "no lower
 * bound", and for IPv6 compares range bounds byte by byte, not as numbers. So a block is written as its first-last
 * range, except that a block starting at zero is split into byte-aligned pieces that skip the all-zero address
 * (which coturn refuses by itself anyway).
 */
export function coturnRangesOf(cidr: string): string[] {
  const block = parseCidr(cidr);
  if (block.first.some((byte) => byte !== 0)) return [formatRange(block.first, block.last)];
  if (block.first.length === 4) {
    const first = Uint8Array.from(block.first);
    first[3] = 1;
    return [formatRange(first, block.last)];
  }
  return zeroSkippingPieces(block).map(([first, last]) => formatRange(first, last));
}

/**
 * Splits a zero-based IPv6 block into pieces, each a byte-wise box (earlier bytes zero, one byte from 1 to its
 * maximum, later bytes anything), so that coturn's byte-by-byte comparison matches exactly the block minus `::`.
 */
function zeroSkippingPieces(block: AddressBlock): Array<[AddressBytes, AddressBytes]> {
  const pieces: Array<[AddressBytes, AddressBytes]> = [];
  for (let byteIndex = block.prefixLength >> 3; byteIndex < block.first.length; byteIndex++) {
    const first = new Uint8Array(block.first.length);
    first[byteIndex] = 1;
    const last = Uint8Array.from(block.last);
    last.fill(0, 0, byteIndex);
    pieces.push([first, last]);
  }
  return pieces;
}

function formatRange(first: AddressBytes, last: AddressBytes): string {
  const low = formatAddress(first);
  const high = formatAddress(last);
  return low === high ? low : `${low}-${high}`;
}

/** The `denied-peer-ip` values of the whole list, optionally without the loopback blocks (local profile). */
export function deniedPeerRanges(options: { allowLoopback: boolean }): string[] {
  return DENIED_PEER_BLOCKS.filter((block) => !(options.allowLoopback && block.loopback)).flatMap((block) =>
    coturnRangesOf(block.cidr),
  );
}
