import { canSaveToDisk } from './browser-support';
import type { DiskFile } from './file-disk';
import type { FileSink } from './file-transfer';
import { HASH_PIECE_BYTES } from './piece-hash';

/*
 * Where a received file waits until the person saves it. Chromium keeps the Blobs a page makes in its browser
 * process's memory until they fill a large share of RAM (measured: a 1 GiB file grew the receiving browser process
 * by about 1 GiB), so a received file is written as it arrives into the origin's private file system (file-disk.ts,
 * a chunk of its own, loaded on the first file accepted). Where that cannot be written (no OPFS, no sync access
 * handles in workers, storage refused, e.g. Firefox's private windows) it is collected as Blob parts instead.
 */

/** Buffers given back by the disk writer and kept to gather the next pieces in: one being filled, one being written. */
const MAX_SPARE_PIECES = 2;

/** A file being received: written to OPFS piece by piece where possible, else kept as Blob parts. */
export function createFileSink(): FileSink<Blob> {
  const name = crypto.randomUUID();
  const spares: Uint8Array[] = [];
  const keepSpare = (buffer: ArrayBuffer) => {
    if (buffer.byteLength === HASH_PIECE_BYTES && spares.length < MAX_SPARE_PIECES) spares.push(new Uint8Array(buffer));
  };
  // Safari before 16.4 and Firefox's private windows cannot write OPFS files: straight to memory there.
  const disk = (
    canSaveToDisk()
      ? import('./file-disk').then(({ openDiskFile }) => openDiskFile(name, keepSpare))
      : Promise.reject(new Error('no OPFS here'))
  ).catch(() => undefined);
  const parts: Blob[] = [];
  // Each step waits for the one before, so pieces land in order; after a failed step the rest are skipped and
  // `finish()` rejects. The extra catch only keeps a failure from being reported as unhandled before then.
  let stored: Promise<unknown> = disk;
  const queue = (step: (file: DiskFile | undefined) => unknown) => {
    stored = stored.then(() => disk).then(step);
    stored.catch(() => {});
  };
  return {
    // Whole checksum pieces (4 MB), each handed on as it is: no copy of our own.
    append(piece) {
      const bytes = piece as Uint8Array<ArrayBuffer>;
      queue((file) => (file ? file.write(bytes) : parts.push(new Blob([bytes]))));
    },
    spare() {
      return spares.pop();
    },
    async finish() {
      let received: Blob | undefined;
      queue(async (file) => {
        received = file ? await file.close() : new Blob(parts);
      });
      await stored;
      return received as Blob;
    },
    discard() {
      parts.length = 0;
      queue((file) => file?.abort());
    },
  };
}
