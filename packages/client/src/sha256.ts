/*
 * SHA-256 (FIPS 180-4) that can be fed piece by piece. WebCrypto only hashes a whole buffer at once, which would
 * force a received file of any size into memory; this lets a transfer hash each chunk as it passes.
 */

/** The first 64 primes. */
const PRIMES: number[] = [];
for (let n = 2; PRIMES.length < 64; n++) if (PRIMES.every((p) => n % p)) PRIMES.push(n);

/** The first 32 bits of a number's fractional part. */
const fraction32 = (x: number) => ((x - Math.floor(x)) * 2 ** 32) >>> 0;

// FIPS 180-4 §4.2.2 and §5.3.3 define the constants as the fractional parts of the cube roots (round constants) and
// square roots (initial state) of the first primes. Computing them instead of listing them saves bundle bytes; the
// NIST test vectors in the tests fail if any one of them is off.
const ROUND_CONSTANTS = Uint32Array.from(PRIMES, (p) => fraction32(Math.cbrt(p)));
const INITIAL_STATE = PRIMES.slice(0, 8).map((p) => fraction32(Math.sqrt(p)));
const BLOCK_BYTES = 64;

/** An incremental SHA-256: `update()` any number of times, then `digest()` once. */
export class Sha256 {
  readonly #state = new Uint32Array(INITIAL_STATE);
  readonly #block = new Uint8Array(BLOCK_BYTES);
  readonly #words = new Uint32Array(64);
  #blockLength = 0;
  #totalBytes = 0;
  #finished = false;

  /** Feeds more bytes into the hash. */
  update(bytes: Uint8Array): this {
    if (this.#finished) throw new Error('SHA-256: update() after digest()');
    this.#totalBytes += bytes.length;
    let offset = 0;
    if (this.#blockLength > 0) {
      const take = Math.min(BLOCK_BYTES - this.#blockLength, bytes.length);
      this.#block.set(bytes.subarray(0, take), this.#blockLength);
      this.#blockLength += take;
      offset = take;
      if (this.#blockLength < BLOCK_BYTES) return this;
      this.#compress(this.#block, 0);
      this.#blockLength = 0;
    }
    for (; offset + BLOCK_BYTES <= bytes.length; offset += BLOCK_BYTES) this.#compress(bytes, offset);
    if (offset < bytes.length) {
      this.#block.set(bytes.subarray(offset), 0);
      this.#blockLength = bytes.length - offset;
    }
    return this;
  }

  /** Finishes the hash and returns its 32 bytes. */
  digest(): Uint8Array {
    if (this.#finished) throw new Error('SHA-256: digest() called twice');
    const bitLength = this.#totalBytes * 8;
    const padding = new Uint8Array((this.#blockLength < 56 ? 56 : 120) - this.#blockLength + 8);
    padding[0] = 0x80;
    const view = new DataView(padding.buffer);
    // The length is a 64-bit big-endian bit count; split it since bit operators are 32-bit.
    view.setUint32(padding.length - 8, Math.floor(bitLength / 2 ** 32));
    view.setUint32(padding.length - 4, bitLength >>> 0);
    this.update(padding);
    this.#finished = true;
    const out = new Uint8Array(32);
    const outView = new DataView(out.buffer);
    for (let i = 0; i < 8; i++) outView.setUint32(i * 4, this.#state[i] as number);
    return out;
  }

  #compress(bytes: Uint8Array, offset: number): void {
    const w = this.#words;
    for (let i = 0; i < 16; i++) {
      const j = offset + i * 4;
      w[i] =
        ((bytes[j] as number) << 24) |
        ((bytes[j + 1] as number) << 16) |
        ((bytes[j + 2] as number) << 8) |
        (bytes[j + 3] as number);
    }
    for (let i = 16; i < 64; i++) {
      const w15 = w[i - 15] as number;
      const w2 = w[i - 2] as number;
      const s0 = rotr(w15, 7) ^ rotr(w15, 18) ^ (w15 >>> 3);
      const s1 = rotr(w2, 17) ^ rotr(w2, 19) ^ (w2 >>> 10);
      w[i] = ((w[i - 16] as number) + s0 + (w[i - 7] as number) + s1) | 0;
    }
    const s = this.#state;
    let a = s[0] as number;
    let b = s[1] as number;
    let c = s[2] as number;
    let d = s[3] as number;
    let e = s[4] as number;
    let f = s[5] as number;
    let g = s[6] as number;
    let h = s[7] as number;
    for (let i = 0; i < 64; i++) {
      const t1 =
        (h +
          (rotr(e, 6) ^ rotr(e, 11) ^ rotr(e, 25)) +
          ((e & f) ^ (~e & g)) +
          (ROUND_CONSTANTS[i] as number) +
          (w[i] as number)) |
        0;
      const t2 = ((rotr(a, 2) ^ rotr(a, 13) ^ rotr(a, 22)) + ((a & b) ^ (a & c) ^ (b & c))) | 0;
      h = g;
      g = f;
      f = e;
      e = (d + t1) | 0;
      d = c;
      c = b;
      b = a;
      a = (t1 + t2) | 0;
    }
    s[0] = (s[0] as number) + a;
    s[1] = (s[1] as number) + b;
    s[2] = (s[2] as number) + c;
    s[3] = (s[3] as number) + d;
    s[4] = (s[4] as number) + e;
    s[5] = (s[5] as number) + f;
    s[6] = (s[6] as number) + g;
    s[7] = (s[7] as number) + h;
  }
}

function rotr(x: number, n: number): number {
  return (x >>> n) | (x << (32 - n));
}

/** Lower-case hex of some bytes. */
export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const b of bytes) hex += b.toString(16).padStart(2, '0');
  return hex;
}
