import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { Sha256, toHex } from './sha256';

const text = (s: string) => new TextEncoder().encode(s);
const sha = (...parts: Uint8Array[]) => {
  const hash = new Sha256();
  for (const part of parts) hash.update(part);
  return toHex(hash.digest());
};

describe('when hashing the FIPS 180-4 / NIST test vectors', () => {
  it('should hash the empty input', () => {
    expect(sha()).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
  });
  it('should hash "abc"', () => {
    expect(sha(text('abc'))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad');
  });
  it('should hash the 448-bit two-block message', () => {
    expect(sha(text('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq'))).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });
  it('should hash one million "a"', () => {
    const chunk = new Uint8Array(1000).fill(0x61);
    const hash = new Sha256();
    for (let i = 0; i < 1000; i++) hash.update(chunk);
    expect(toHex(hash.digest())).toBe('cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0');
  });
});

describe('when fed in arbitrary pieces', () => {
  it('should match node:crypto for any input split any way', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 700 }), fc.array(fc.nat(700), { maxLength: 6 }), (data, cuts) => {
        const points = [...new Set(cuts.map((c) => c % (data.length + 1)))].sort((a, b) => a - b);
        const parts: Uint8Array[] = [];
        let previous = 0;
        for (const point of [...points, data.length]) {
          parts.push(data.subarray(previous, point));
          previous = point;
        }
        expect(sha(...parts)).toBe(createHash('sha256').update(data).digest('hex'));
      }),
      { numRuns: 300 },
    );
  });
});

describe('when misused', () => {
  it('should refuse to update or digest after digest', () => {
    const hash = new Sha256();
    hash.digest();
    expect(() => hash.update(text('x'))).toThrow(/after digest/);
    expect(() => hash.digest()).toThrow(/twice/);
  });
});

describe('when deriving the constants from the primes', () => {
  it('should give the NIST digests of the empty message and a two-block message', () => {
    // A wrong constant changes every digest, so these pin all of them.
    const hex = (text: string) => toHex(new Sha256().update(new TextEncoder().encode(text)).digest());
    expect(hex('')).toBe('e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855');
    expect(hex('abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq')).toBe(
      '248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1',
    );
  });
});
