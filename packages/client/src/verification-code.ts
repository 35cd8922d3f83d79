import type { Fingerprint } from './fingerprints';
import { VERIFICATION_WORDS } from './verification-words';

/*
 * The words both people compare by voice to know nobody sits in the middle of their call. They are derived from the
 * two DTLS certificates that encrypt the media — the offerer's, then the answerer's — so a man in the middle, who must
 * present its own certificate to each side, makes the two screens show different words unless it finds, during call
 * setup, a certificate whose words collide: 2^42 tries, each one a deliberately slow derivation (PBKDF2).
 * The exact definition is in docs/verification.md. Loaded when a call connects, with its word list (not at page load).
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
