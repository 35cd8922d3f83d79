/*
 * The checksum of a file transfer, computed as the bytes pass: SHA-256 over the SHA-256 digests of the file's
 * successive HASH_PIECE_BYTES pieces. WebCrypto has no streaming SHA-256, but hashing whole pieces with it is native
 * speed (a SHA-256 in script ran at ~15 MiB/s and set the pace of a transfer) and holds at most a few pieces in
 * memory. Both sides cut pieces at the same offsets whatever the chunking, so equal files give equal checksums.
 *
 * The pieces are also the unit of storing: the receiver writes each piece it hashed, as it is, so every received
 * byte is copied once in the page (profiled: gathering the same bytes a second time for the write cost the receiver
 * about as much main-thread time as hashing them). A piece handed in whole, as the sender reads them, is not copied.
 * The receiver's pieces can be buffers the sink is done with: a fresh 4 MB buffer costs the page ~3 ms of page
 * faults on first touch (measured in Chromium, against ~0.4 ms to fill one already in use).
 */

/** Bytes per hashed piece (and per read on the sending side, per write on the receiving side). */
export const HASH_PIECE_BYTES = 4 * 1024 * 1024;

export class PieceHash {
  /** Where the next piece is gathered; taken only once bytes need gathering (a sender's whole pieces never do). */
  #piece: Uint8Array | undefined;
  #filled = 0;
  readonly #digests: Promise<ArrayBuffer>[] = [];
  readonly #onPiece: ((piece: Uint8Array) => void) | undefined;
  readonly #newPiece: () => Uint8Array;

  /**
   * `onPiece` gets each piece once it is cut, the last (shorter) one from {@link hex}: it may keep it, or take its
   * buffer over (transfer it), as nothing here reads a piece once it is handed on. `newPiece` gives the buffer to
   * gather the next piece in (HASH_PIECE_BYTES long, its contents overwritten): fresh memory unless told otherwise.
   */
  constructor(onPiece?: (piece: Uint8Array) => void, newPiece = (): Uint8Array => new Uint8Array(HASH_PIECE_BYTES)) {
    this.#onPiece = onPiece;
    this.#newPiece = newPiece;
  }

  /** Adds the next bytes; the caller must not change them afterwards (a whole piece is hashed as given). */
  update(bytes: Uint8Array): void {
    if (this.#filled === 0 && bytes.length === HASH_PIECE_BYTES) {
      this.#cut(bytes);
      return;
    }
    for (let offset = 0; offset < bytes.length; ) {
      const take = Math.min(HASH_PIECE_BYTES - this.#filled, bytes.length - offset);
      this.#piece ??= this.#newPiece();
      this.#piece.set(bytes.subarray(offset, offset + take), this.#filled);
      this.#filled += take;
      offset += take;
      if (this.#filled === HASH_PIECE_BYTES) this.#cutFilled();
    }
  }

  /**
   * Waits for the newest piece's digest. A reader faster than hashing paces itself by this: the copies that
   * crypto.subtle.digest takes would otherwise pile up waiting, with no bound but the file's size. (A 1 GiB file read
   * ahead of its hashing grew the sending page by ~280 MB; paced, it still grew by up to 276 MB, which proved to be
   * the reads' fresh buffers collected late: see file-source.ts.)
   */
  async hashed(): Promise<void> {
    await this.#digests.at(-1);
  }

  /** The checksum as lower-case hex; call once, after the last update. */
  async hex(): Promise<string> {
    this.#cutFilled();
    const joined = await new Blob(await Promise.all(this.#digests)).arrayBuffer();
    return toHex(new Uint8Array(await crypto.subtle.digest('SHA-256', joined)));
  }

  #cutFilled(): void {
    this.#cut(this.#piece?.subarray(0, this.#filled) ?? new Uint8Array());
    // The next piece goes into another buffer: this one is not touched again, whenever the sink reads it (the digest
    // has read it: crypto.subtle.digest copies its input before it returns).
    this.#piece = undefined;
    this.#filled = 0;
  }

  #cut(piece: Uint8Array): void {
    this.#digests.push(crypto.subtle.digest('SHA-256', piece as Uint8Array<ArrayBuffer>));
    if (piece.length > 0) this.#onPiece?.(piece);
  }
}

export function toHex(bytes: Uint8Array): string {
  let hex = '';
  for (const byte of bytes) hex += byte.toString(16).padStart(2, '0');
  return hex;
}
