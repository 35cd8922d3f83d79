import { pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  VERIFICATION_BITS,
  VERIFICATION_PBKDF2_ITERATIONS,
  VERIFICATION_SALT,
  VERIFICATION_WORD_COUNT,
  verificationWords,
  wordsOf,
} from './verification-code';
import { VERIFICATION_WORDS } from './verification-words';

const ALICE = 'AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99';
const BOB = '01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF';
const MALLORY = 'FF:FF:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF';
const fp = (value: string) => `sha-256 ${value}`;

describe('when turning bits into words', () => {
  it('should read 7 bits per word, most significant first, from the first 42 bits', () => {
    expect(VERIFICATION_WORD_COUNT * 7).toBe(VERIFICATION_BITS);
    expect(wordsOf(new Uint8Array(8))).toEqual(Array(6).fill('acorn'));
    expect(wordsOf(new Uint8Array(8).fill(0xff))).toEqual(Array(6).fill('zebra'));
    // 0000001 0000010 0000000 ... : the first word is index 1, the second index 2.
    expect(wordsOf(Uint8Array.of(0b00000010, 0b00001000, 0, 0, 0, 0, 0, 0))).toEqual([
      VERIFICATION_WORDS[1],
      VERIFICATION_WORDS[2],
      'acorn',
      'acorn',
      'acorn',
      'acorn',
    ]);
    // The last word is bits 35–41: the 6 bits after them (of the 48 read) do not count.
    expect(wordsOf(Uint8Array.of(0, 0, 0, 0, 0b00000000, 0b11000000, 0, 0)).at(-1)).toBe(VERIFICATION_WORDS[3]);
    expect(wordsOf(Uint8Array.of(0, 0, 0, 0, 0, 0b00111111, 0xff, 0xff))).toEqual(Array(6).fill('acorn'));
  });
  it('should refuse too few bytes', () => {
    expect(() => wordsOf(new Uint8Array(5))).toThrow(/6 bytes/);
  });
  it('should use a list of 128 distinct words, told apart by their first three letters', () => {
    expect(VERIFICATION_WORDS).toHaveLength(2 ** 7);
    expect(new Set(VERIFICATION_WORDS.map((word) => word.slice(0, 3))).size).toBe(128);
    for (const word of VERIFICATION_WORDS) expect(word).toMatch(/^[a-z]{3,7}$/);
  });
});

describe('when both sides derive the words', () => {
  it('should be PBKDF2-HMAC-SHA-256 of "offerer\\nanswerer" as documented (checked with node:crypto)', async () => {
    const expected = pbkdf2Sync(
      `${fp(ALICE)}\n${fp(BOB)}`,
      VERIFICATION_SALT,
      VERIFICATION_PBKDF2_ITERATIONS,
      8,
      'sha256',
    );
    expect(await verificationWords(fp(ALICE), fp(BOB))).toEqual(wordsOf(new Uint8Array(expected)));
  });

  it('should give six words from the list, and depend on who offered', async () => {
    const words = await verificationWords(fp(ALICE), fp(BOB));
    expect(words).toHaveLength(6);
    for (const word of words) expect(VERIFICATION_WORDS).toContain(word);
    expect(await verificationWords(fp(BOB), fp(ALICE))).not.toEqual(words);
  });

  it('should differ when someone in the middle presents its own certificate to each side', async () => {
    // Alice offered to Mallory; Mallory offered to Bob (with the same certificate: the one-certificate variant).
    const onAlice = await verificationWords(fp(ALICE), fp(MALLORY));
    const onBob = await verificationWords(fp(MALLORY), fp(BOB));
    expect(onAlice).not.toEqual(onBob);
  });
});
