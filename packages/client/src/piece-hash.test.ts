import { createHash } from 'node:crypto';
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { HASH_PIECE_BYTES, PieceHash } from './piece-hash';

/** The checksum as defined, computed independently with Node's SHA-256. */
function reference(bytes: Uint8Array): string {
  const digests: Buffer[] = [];
  for (let offset = 0; ; offset += HASH_PIECE_BYTES) {
    const piece = bytes.subarray(offset, offset + HASH_PIECE_BYTES);
    digests.push(createHash('sha256').update(piece).digest());
    if (piece.length < HASH_PIECE_BYTES) break;
  }
  return createHash('sha256').update(Buffer.concat(digests)).digest('hex');
}

function pattern(length: number): Uint8Array {
  const bytes = new Uint8Array(length);
  for (let i = 0; i < length; i++) bytes[i] = (i * 31 + (i >> 11)) & 0xff;
  return bytes;
}

async function hashInChunks(bytes: Uint8Array, chunk: number): Promise<string> {
  const hash = new PieceHash();
  for (let offset = 0; offset < bytes.length; offset += chunk) hash.update(bytes.subarray(offset, offset + chunk));
  return hash.hex();
}

describe('when hashing a file piece by piece', () => {
  it('should give SHA-256 over the SHA-256 of each piece, also for empty and exact-multiple sizes', async () => {
    for (const length of [0, 1, HASH_PIECE_BYTES - 1, HASH_PIECE_BYTES, 2 * HASH_PIECE_BYTES + 5]) {
      const bytes = pattern(length);
      expect(await hashInChunks(bytes, 16 * 1024), `length ${length}`).toBe(reference(bytes));
    }
  });

  it('should not depend on how the bytes were chunked', async () => {
    const bytes = pattern(HASH_PIECE_BYTES + 4_321);
    const expected = reference(bytes);
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: 3 * 1024 * 1024 }), async (chunk) => {
        expect(await hashInChunks(bytes, chunk)).toBe(expected);
      }),
      { numRuns: 8 },
    );
  });

  it('should change when one byte changes', async () => {
    const bytes = pattern(HASH_PIECE_BYTES + 10);
    const before = await hashInChunks(bytes, 65_536);
    bytes[HASH_PIECE_BYTES + 3] = (bytes[HASH_PIECE_BYTES + 3] as number) ^ 1;
    expect(await hashInChunks(bytes, 65_536)).not.toBe(before);
  });

  it('should hand on each piece it hashed, whole ones first, so the receiver stores exactly what was hashed', async () => {
    const bytes = pattern(2 * HASH_PIECE_BYTES + 99);
    const pieces: Uint8Array[] = [];
    const hash = new PieceHash((piece) => pieces.push(piece));
    for (let offset = 0; offset < bytes.length; offset += 16_384) hash.update(bytes.subarray(offset, offset + 16_384));
    expect(pieces.map((piece) => piece.length)).toEqual([HASH_PIECE_BYTES, HASH_PIECE_BYTES]);
    expect(await hash.hex()).toBe(reference(bytes));
    expect(pieces.map((piece) => piece.length)).toEqual([HASH_PIECE_BYTES, HASH_PIECE_BYTES, 99]);
    expect(Buffer.concat(pieces).equals(Buffer.from(bytes))).toBe(true);
  });

  it('should take a whole piece given at once as it is, without copying it', async () => {
    const bytes = pattern(HASH_PIECE_BYTES);
    const pieces: Uint8Array[] = [];
    const hash = new PieceHash((piece) => pieces.push(piece));
    hash.update(bytes);
    expect(pieces[0]).toBe(bytes);
    expect(await hash.hex()).toBe(reference(bytes));
    expect(pieces).toHaveLength(1);
  });

  it('should gather pieces in the buffers it is given, and never read a piece again once handed on', async () => {
    const bytes = pattern(3 * HASH_PIECE_BYTES + 7);
    const stored: Buffer[] = [];
    // The receiver's sink: stores a copy, then gives the buffer back (what the file writer does), detached here
    // first, so any later read of a handed-on piece would find it empty.
    const returned: Uint8Array[] = [];
    let fresh = 0;
    let taken = 0;
    const hash = new PieceHash(
      (piece) => {
        stored.push(Buffer.from(piece));
        const { buffer } = piece;
        returned.push(new Uint8Array(structuredClone(buffer, { transfer: [buffer] })));
      },
      () => {
        taken += 1;
        const spare = returned.pop();
        if (spare) return spare;
        fresh += 1;
        return new Uint8Array(HASH_PIECE_BYTES);
      },
    );
    for (let offset = 0; offset < bytes.length; offset += 16_384) hash.update(bytes.subarray(offset, offset + 16_384));
    expect(await hash.hex()).toBe(reference(bytes));
    expect(Buffer.concat(stored).equals(Buffer.from(bytes))).toBe(true);
    // One buffer per piece (three whole, one short), only the first of them fresh: the rest came back.
    expect(taken).toBe(4);
    expect(fresh).toBe(1);
  });
});
