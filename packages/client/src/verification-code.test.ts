import { pbkdf2Sync } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  descriptionFingerprint,
  normalizeFingerprint,
  sdpFingerprints,
  VERIFICATION_BITS,
  VERIFICATION_PBKDF2_ITERATIONS,
  VERIFICATION_SALT,
  VERIFICATION_WORD_COUNT,
  verificationWords,
  wordsOf,
} from './verification-code';
import { VERIFICATION_WORDS } from './verification-words';

const sdp = (...lines: string[]) => ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', ...lines, ''].join('\r\n');
const line = (value: string, algorithm = 'sha-256') => `a=fingerprint:${algorithm} ${value}`;
const ALICE = 'AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99';
const BOB = '01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF';
const MALLORY = 'FF:FF:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF';
const fp = (value: string) => `sha-256 ${value}`;

describe('when reading fingerprints from SDP', () => {
  it('should find each distinct a=fingerprint value once, normalizing its case', () => {
    const text = sdp(line(ALICE), 'm=video 9 UDP/TLS/RTP/SAVPF 96', line(BOB.toLowerCase(), 'SHA-256'), line(ALICE));
    expect(sdpFingerprints(text)).toEqual([fp(ALICE), fp(BOB)]);
  });
  it('should find nothing in SDP without fingerprints', () => {
    expect(sdpFingerprints('v=0\r\ns=-\r\n')).toEqual([]);
  });
  it('should spell a getStats() fingerprint the way it spells an SDP one', () => {
    expect(normalizeFingerprint('SHA-256', ALICE.toLowerCase())).toBe(sdpFingerprints(sdp(line(ALICE)))[0]);
  });
});

describe('when a remote description arrives', () => {
  it('should take its single fingerprint, however often it is repeated (one per m-line in Chromium)', () => {
    expect(descriptionFingerprint(sdp(line(ALICE), 'm=audio 9 UDP/TLS/RTP/SAVPF 111', line(ALICE)))).toEqual({
      fingerprint: fp(ALICE),
    });
  });
  it('should refuse one with a decoy fingerprint beside the real one, in either order', () => {
    expect(descriptionFingerprint(sdp(line(BOB), line(MALLORY))).refused).toBe('several-fingerprints');
    expect(descriptionFingerprint(sdp(line(MALLORY), line(BOB))).refused).toBe('several-fingerprints');
  });
  it('should refuse one whose m-lines name different certificates', () => {
    const text = sdp(line(ALICE), 'm=audio 9 UDP/TLS/RTP/SAVPF 111', line(MALLORY));
    expect(descriptionFingerprint(text).refused).toBe('several-fingerprints');
  });
  it('should refuse the same certificate listed under two hash functions (it cannot tell which one is checked)', () => {
    const text = sdp(line(ALICE), line(`${ALICE}:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF`, 'sha-384'));
    expect(descriptionFingerprint(text).refused).toBe('several-fingerprints');
  });
  it('should refuse one without a fingerprint, or with a weak hash function', () => {
    expect(descriptionFingerprint(sdp()).refused).toBe('no-fingerprint');
    expect(descriptionFingerprint(sdp(line('AA:BB:CC', 'sha-1'))).refused).toBe('weak-fingerprint');
  });
});

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
