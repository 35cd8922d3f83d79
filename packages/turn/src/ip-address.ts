import { isIPv4, isIPv6 } from 'node:net';

/** An IP address as its network-order bytes: 4 for IPv4, 16 for IPv6. */
export type AddressBytes = Uint8Array;

/** Parses an IPv4 or IPv6 address (IPv6 may end in dotted IPv4, as in `::ffff:127.0.0.1`) into its bytes. */
export function parseAddress(text: string): AddressBytes {
  if (isIPv4(text)) return Uint8Array.from(text.split('.').map(Number));
  if (!isIPv6(text)) throw new Error(`Not an IP address: ${JSON.stringify(text)}`);
  const hexOnly = text.replace(/(\d+)\.(\d+)\.(\d+)\.(\d+)$/, (_, a, b, c, d) => {
    const word = (high: string, low: string) => ((Number(high) << 8) | Number(low)).toString(16);
    return `${word(a, b)}:${word(c, d)}`;
  });
  const [head = '', tail] = hexOnly.split('::');
  const headWords = head === '' ? [] : head.split(':');
  const tailWords = tail === undefined || tail === '' ? [] : tail.split(':');
  const zeroWords = Array<string>(8 - headWords.length - tailWords.length).fill('0');
  const bytes = new Uint8Array(16);
  [...headWords, ...zeroWords, ...tailWords].forEach((word, i) => {
    const value = Number.parseInt(word, 16);
    bytes[2 * i] = value >> 8;
    bytes[2 * i + 1] = value & 0xff;
  });
  return bytes;
}

/** Formats address bytes in the canonical text form (RFC 5952 for IPv6: lower case, longest zero run as `::`). */
export function formatAddress(bytes: AddressBytes): string {
  if (bytes.length === 4) return [...bytes].join('.');
  const words: number[] = [];
  for (let i = 0; i < 16; i += 2) words.push(((bytes[i] ?? 0) << 8) | (bytes[i + 1] ?? 0));
  let bestStart = -1;
  let bestLength = 0;
  for (let start = 0; start < 8; start++) {
    let length = 0;
    while (start + length < 8 && words[start + length] === 0) length++;
    if (length > bestLength) {
      bestStart = start;
      bestLength = length;
    }
  }
  const hex = words.map((word) => word.toString(16));
  if (bestLength < 2) return hex.join(':');
  return `${hex.slice(0, bestStart).join(':')}::${hex.slice(bestStart + bestLength).join(':')}`;
}

/** A CIDR block such as `10.0.0.0/8` or `fc00::/7`, as its lowest and highest address. */
export interface AddressBlock {
  first: AddressBytes;
  last: AddressBytes;
  prefixLength: number;
}

/** Parses `address/prefix` (the address must be the block's first address, so typos cannot widen a block). */
export function parseCidr(cidr: string): AddressBlock {
  const [address = '', prefix = ''] = cidr.split('/');
  const first = parseAddress(address);
  const bits = first.length * 8;
  const prefixLength = Number(prefix);
  if (!/^\d+$/.test(prefix) || prefixLength > bits) throw new Error(`Bad prefix length in ${cidr}`);
  const last = Uint8Array.from(first);
  for (let bit = prefixLength; bit < bits; bit++) {
    const byteIndex = bit >> 3;
    const mask = 0x80 >> (bit & 7);
    if (((first[byteIndex] ?? 0) & mask) !== 0) throw new Error(`${cidr} has host bits set`);
    last[byteIndex] = (last[byteIndex] ?? 0) | mask;
  }
  return { first, last, prefixLength };
}

/** Whether `address` lies in the block (same family, between its first and last address). */
export function blockContains(block: AddressBlock, address: AddressBytes): boolean {
  if (address.length !== block.first.length) return false;
  return compareBytes(block.first, address) <= 0 && compareBytes(address, block.last) <= 0;
}

function compareBytes(a: AddressBytes, b: AddressBytes): number {
  for (let i = 0; i < a.length; i++) {
    const difference = (a[i] ?? 0) - (b[i] ?? 0);
    if (difference !== 0) return difference;
  }
  return 0;
}
