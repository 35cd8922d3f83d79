import { createHash, randomFillSync } from 'node:crypto';
import { once } from 'node:events';
import { createReadStream, createWriteStream, statfsSync } from 'node:fs';

/*
 * Large files on disk for transfer tests: generated from random bytes (so no layer can compress them or pass a
 * stuck chunk unnoticed), hashed as they are written and when they come back.
 */

/** Generated files are written in blocks of this size. */
const WRITE_BLOCK_BYTES = 4 * 1024 * 1024;

/** Throws unless the file system of `dir` has `bytes` free for an unprivileged user. */
export function assertFreeDisk(dir: string, bytes: number): void {
  const stats = statfsSync(dir);
  const free = stats.bavail * stats.bsize;
  if (free < bytes) {
    throw new Error(`${dir} has ${Math.floor(free / 2 ** 20)} MiB free; this needs ${Math.ceil(bytes / 2 ** 20)} MiB`);
  }
}

/** Writes `size` random bytes to `path` and answers their SHA-256 (hex). */
export async function writeGeneratedFile(path: string, size: number): Promise<string> {
  const hash = createHash('sha256');
  const out = createWriteStream(path);
  try {
    for (let written = 0; written < size; ) {
      const block = randomFillSync(Buffer.allocUnsafe(Math.min(WRITE_BLOCK_BYTES, size - written)));
      hash.update(block);
      written += block.length;
      if (!out.write(block)) await once(out, 'drain');
    }
  } finally {
    out.end();
    await once(out, 'close');
  }
  return hash.digest('hex');
}

/** SHA-256 (hex) of a file, read as a stream. */
export async function fileSha256(path: string): Promise<string> {
  const hash = createHash('sha256');
  for await (const block of createReadStream(path)) hash.update(block as Buffer);
  return hash.digest('hex');
}
