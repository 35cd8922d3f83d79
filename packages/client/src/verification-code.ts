import { VERIFICATION_WORDS } from './verification-words';

/*
 * The words both people compare by voice to know nobody sits in the middle of their call. They are derived from the
 * two DTLS certificates that encrypt the media — the offerer's, then the answerer's — so a man in the middle, who must
 * present its own certificate to each side, makes the two screens show different words unless it finds, during call
 * setup, a certificate whose words collide: 2^42 tries, each one a deliberately slow derivation (PBKDF2).
 * The exact definition is in docs/verification.md.
 */

/** Bits of the code: 6 words of 7 bits (Matrix's emoji SAS has 42 too; ZRTP's short strings 20–32). */
export const VERIFICATION_BITS = 42;
/** Bits each word carries: the word list has 2^7 = 128 words. */
export const BITS_PER_WORD = 7;
/** Words shown. */
export const VERIFICATION_WORD_COUNT = VERIFICATION_BITS / BITS_PER_WORD;
/**
 * PBKDF2-HMAC-SHA-256 rounds per derivation. Each of an attacker's 2^42 tries costs this much, while the person's
 * browser pays it once per call (about 25 ms on a laptop core; `pnpm bench verification` measures it).
 */
export const VERIFICATION_PBKDF2_ITERATIONS = 100_000;
/** The PBKDF2 salt: names the scheme and its version, so no other protocol's hash can be reused as ours. */
export const VERIFICATION_SALT = 'parley-verification-v1';
/**
 * Fingerprint hash functions accepted in a remote description. Browsers use sha-256; sha-1 and md5 are allowed by
 * RFC 8122 but second preimages of a 160-bit hash are not out of reach forever, and nobody needs them.
 */
export const ACCEPTED_FINGERPRINT_ALGORITHMS: readonly string[] = ['sha-256', 'sha-384', 'sha-512'];

/** A certificate fingerprint, normalized: `sha-256 AB:CD:…` (hash name lower-case, hex upper-case). */
export type Fingerprint = string;

/** Normalizes a fingerprint's hash name and value, as SDP and getStats() may spell them differently. */
export function normalizeFingerprint(algorithm: string, value: string): Fingerprint {
  return `${algorithm.trim().toLowerCase()} ${value.trim().toUpperCase()}`;
}

/** The distinct `a=fingerprint` values of an SDP, normalized, in the order they first appear. */
export function sdpFingerprints(sdp: string): Fingerprint[] {
  const found = new Set<Fingerprint>();
  for (const line of sdp.split(/\r?\n/)) {
    const match = /^a=fingerprint:(\S+)\s+([0-9A-Fa-f:]+)\s*$/.exec(line);
    if (match) found.add(normalizeFingerprint(match[1] as string, match[2] as string));
  }
  return [...found];
}

/** Why a remote description is refused. */
export type RefusalReason = 'no-fingerprint' | 'several-fingerprints' | 'weak-fingerprint';

/**
 * The one certificate fingerprint a remote description may carry, or why it is refused. Firefox accepts a
 * certificate matching ANY fingerprint listed, so a description listing two (the real peer's as a decoy, and a man
 * in the middle's) would pass a check of the first: only a single distinct fingerprint says which certificate is used.
 */
export function descriptionFingerprint(
  sdp: string,
): { fingerprint: Fingerprint; refused?: undefined } | { fingerprint?: undefined; refused: RefusalReason } {
  const fingerprints = sdpFingerprints(sdp);
  const [only] = fingerprints;
  if (!only) return { refused: 'no-fingerprint' };
  if (fingerprints.length > 1) return { refused: 'several-fingerprints' };
  if (!ACCEPTED_FINGERPRINT_ALGORITHMS.includes(only.split(' ')[0] as string)) return { refused: 'weak-fingerprint' };
  return { fingerprint: only };
}

/**
 * The verification words for a call: PBKDF2-HMAC-SHA-256 over `<offerer's fingerprint>\n<answerer's fingerprint>`,
 * its first 42 bits read big-endian as six 7-bit indices into the word list. Order matters: both sides must agree
 * on who offered, which is why the words are not taken from a sorted set.
 */
export async function verificationWords(offerer: Fingerprint, answerer: Fingerprint): Promise<string[]> {
  const encoder = new TextEncoder();
  const key = await crypto.subtle.importKey('raw', encoder.encode(`${offerer}\n${answerer}`), 'PBKDF2', false, [
    'deriveBits',
  ]);
  const bits = await crypto.subtle.deriveBits(
    {
      name: 'PBKDF2',
      hash: 'SHA-256',
      salt: encoder.encode(VERIFICATION_SALT),
      iterations: VERIFICATION_PBKDF2_ITERATIONS,
    },
    key,
    64,
  );
  return wordsOf(new Uint8Array(bits));
}

/** Whole bytes that hold the code's bits (read as one number: 48 bits stay exact in a double). */
const CODE_BYTES = Math.ceil(VERIFICATION_BITS / 8);

/** The words spelled by the first VERIFICATION_BITS bits of `bytes`, most significant bit first. */
export function wordsOf(bytes: Uint8Array): string[] {
  if (bytes.length < CODE_BYTES) throw new Error(`A verification code needs ${CODE_BYTES} bytes, got ${bytes.length}`);
  let value = 0;
  for (const byte of bytes.subarray(0, CODE_BYTES)) value = value * 256 + byte;
  let code = Math.floor(value / 2 ** (CODE_BYTES * 8 - VERIFICATION_BITS));
  const words: string[] = [];
  for (let i = 0; i < VERIFICATION_WORD_COUNT; i++) {
    words.unshift(VERIFICATION_WORDS[code % 2 ** BITS_PER_WORD] as string);
    code = Math.floor(code / 2 ** BITS_PER_WORD);
  }
  return words;
}
