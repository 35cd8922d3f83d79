import { describe, expect, it } from 'vitest';
import { coturnRangesOf, DENIED_PEER_BLOCKS, DOCUMENTATION_BLOCKS, deniedPeerRanges } from './denied-peers';
import { blockContains, parseAddress, parseCidr } from './ip-address';

/**
 * coturn 4.6's own range test (ioa_addr_in_range + addr_less_eq), modelled to the letter: an all-zero lower or
 * upper bound means "unbounded", different families compare by family number (AF_INET < AF_INET6), and IPv6
 * bounds are compared byte by byte (every byte of the lower bound must be <= the address's byte, and so on).
 */
function coturnDenies(ranges: readonly string[], peer: string): boolean {
  const address = parseAddress(peer);
  const lessOrEqual = (a: Uint8Array, b: Uint8Array): boolean => {
    if (a.length !== b.length) return a.length < b.length;
    if (a.length === 4) return Buffer.from(a).readUInt32BE(0) <= Buffer.from(b).readUInt32BE(0);
    return a.every((byte, i) => byte <= (b[i] ?? 0));
  };
  const isAny = (bytes: Uint8Array) => bytes.every((byte) => byte === 0);
  return ranges.some((range) => {
    const [low = '', high = low] = range.split('-');
    const min = parseAddress(low);
    const max = parseAddress(high);
    if (!(isAny(min) || lessOrEqual(min, address))) return false;
    return isAny(max) || lessOrEqual(address, max);
  });
}

const MUST_BE_DENIED = [
  ['0.1.2.3', '"this network"'],
  ['10.0.0.1', 'private'],
  ['10.255.255.254', 'private'],
  ['100.64.0.1', 'carrier-grade NAT'],
  ['100.127.255.254', 'carrier-grade NAT'],
  ['127.0.0.1', 'loopback'],
  ['127.255.255.254', 'loopback'],
  ['169.254.169.254', 'EC2 instance metadata'],
  ['169.254.169.253', 'Amazon DNS'],
  ['172.16.0.1', 'private'],
  ['172.31.255.254', 'private'],
  ['192.0.0.8', 'IETF protocol assignments'],
  ['192.88.99.1', '6to4 relay anycast'],
  ['192.31.196.1', 'AS112 (RFC 7535)'],
  ['192.175.48.6', 'AS112 direct delegation'],
  ['192.52.193.1', 'AMT relay anycast'],
  ['192.168.0.1', 'private'],
  ['198.18.0.1', 'benchmarking'],
  ['198.19.255.254', 'benchmarking'],
  ['224.0.0.1', 'multicast'],
  ['239.255.255.250', 'multicast (SSDP)'],
  ['240.0.0.1', 'reserved'],
  ['255.255.255.255', 'broadcast'],
  ['::1', 'IPv6 loopback'],
  ['::127.0.0.1', 'IPv4-compatible loopback'],
  ['::169.254.169.254', 'IPv4-compatible metadata'],
  ['::0.0.1.0', 'IPv4-compatible, low bytes'],
  ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
  ['::ffff:169.254.169.254', 'IPv4-mapped metadata'],
  ['::ffff:10.0.0.1', 'IPv4-mapped private'],
  ['::ffff:8.8.8.8', 'IPv4-mapped (any IPv4 must go through the IPv4 rules)'],
  ['::ffff:0:7f00:1', 'IPv4-translated loopback'],
  ['64:ff9b::a9fe:a9fe', 'NAT64 metadata'],
  ['64:ff9b:1::7f00:1', 'local-use NAT64'],
  ['100::1', 'discard-only'],
  ['2001:0:4136:e378:8000:63bf:3fff:fdd2', 'Teredo'],
  ['2002:a9fe:a9fe::1', '6to4 of the metadata address'],
  ['2001:4:112::1', 'AS112 IPv6 (inside 2001::/23)'],
  ['2620:4f:8000::42', 'AS112 IPv6 direct delegation'],
  ['2001:3::1', 'AMT IPv6 (inside 2001::/23)'],
  ['5f00::1', 'SRv6 segment identifiers'],
  ['3fff:fff::1', 'IPv6 documentation (RFC 9637), top of range'],
  ['fc00::1', 'unique local'],
  ['fd00:ec2::254', 'EC2 instance metadata over IPv6'],
  ['fe80::1', 'link-local'],
  ['febf:ffff::1', 'link-local, top of range'],
  ['fec0::1', 'site-local'],
  ['ff02::1', 'multicast'],
] as const;

const MUST_BE_ALLOWED = [
  ['203.0.113.10', 'TEST-NET-3: the sandbox TURN host'],
  ['198.51.100.20', 'TEST-NET-2: the sandbox client'],
  ['192.0.2.30', 'TEST-NET-1: the sandbox peer'],
  ['8.8.8.8', 'public'],
  ['1.1.1.1', 'public'],
  ['11.0.0.1', 'public, next to 10/8'],
  ['100.128.0.1', 'public, next to 100.64/10'],
  ['172.32.0.1', 'public, next to 172.16/12'],
  ['192.0.3.1', 'public, next to TEST-NET-1'],
  ['223.255.255.254', 'public, below multicast'],
  ['192.31.197.1', 'public, next to AS112'],
  ['192.52.192.1', 'public, next to AMT'],
  ['2620:4f:8001::1', 'public IPv6, next to AS112'],
  ['3fff:1000::1', 'public-looking IPv6, just past 3fff::/20'],
  ['2001:db8::1', 'IPv6 documentation'],
  ['2606:4700:4700::1111', 'public IPv6'],
  ['2a05:d018::1', 'public IPv6 (AWS)'],
] as const;

describe('the denied peer list', () => {
  const production = deniedPeerRanges({ allowLoopback: false });

  it.each(MUST_BE_DENIED)('should deny %s (%s)', (peer) => {
    expect(coturnDenies(production, peer)).toBe(true);
  });

  it.each(MUST_BE_ALLOWED)('should allow %s (%s)', (peer) => {
    expect(coturnDenies(production, peer)).toBe(false);
  });

  it('should never write a lower bound of all zeros, which coturn reads as unbounded', () => {
    for (const range of production) {
      const low = parseAddress(range.split('-')[0] ?? '');
      expect(
        low.some((byte) => byte !== 0),
        range,
      ).toBe(true);
    }
  });

  it('should deny exactly each block, byte-wise, as coturn compares (checked at every block edge)', () => {
    for (const { cidr } of DENIED_PEER_BLOCKS) {
      const block = parseCidr(cidr);
      const ranges = coturnRangesOf(cidr);
      const edges = [block.first, block.last].flatMap((edge) => [edge, step(edge, -1), step(edge, 1)]);
      for (const edge of edges) {
        const text = formatForTest(edge);
        const isZero = edge.every((byte) => byte === 0);
        expect(coturnDenies(ranges, text), `${cidr} vs ${text}`).toBe(blockContains(block, edge) && !isZero);
      }
    }
  });

  it('should leave every documentation range allowed, on purpose (the sandbox uses them as public hosts)', () => {
    for (const cidr of DOCUMENTATION_BLOCKS) {
      const block = parseCidr(cidr);
      expect(coturnDenies(production, formatForTest(block.first)), cidr).toBe(false);
      expect(coturnDenies(production, formatForTest(block.last)), cidr).toBe(false);
    }
  });

  describe('when loopback is allowed (local profile)', () => {
    const local = deniedPeerRanges({ allowLoopback: true });

    it('should allow 127.0.0.0/8 and nothing else that production denies', () => {
      expect(coturnDenies(local, '127.0.0.1')).toBe(false);
      expect(production.filter((range) => !local.includes(range))).toEqual(['127.0.0.0-127.255.255.255']);
    });

    it('should still deny the IPv4-mapped and IPv6 loopback forms', () => {
      expect(coturnDenies(local, '::ffff:127.0.0.1')).toBe(true);
      expect(coturnDenies(local, '::1')).toBe(true);
    });
  });
});

/** The address one above or below (wrapping within the family), to probe just outside a block. */
function step(bytes: Uint8Array, delta: 1 | -1): Uint8Array {
  const next = Uint8Array.from(bytes);
  for (let i = next.length - 1; i >= 0; i--) {
    const value = (next[i] ?? 0) + delta;
    next[i] = (value + 256) % 256;
    if (value >= 0 && value <= 255) break;
  }
  return next;
}

function formatForTest(bytes: Uint8Array): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const words: string[] = [];
  for (let i = 0; i < 16; i += 2) words.push((((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0)).toString(16));
  return words.join(':');
}
