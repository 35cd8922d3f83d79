/*
 * A picked file as the sender reads it: block by block, into buffers the sender hands back. Blob.arrayBuffer()
 * gives every block fresh memory, and at the rate a transfer reads (two readers at first: the checksum and the
 * sending) V8 collected the old blocks late; a 1 GiB file grew the sending page by up to ~275 MB. A BYOB reader over
 * the block's stream fills the buffer it is given instead (Chromium and Firefox; where a browser's Blob stream is not
 * a byte stream, the block comes in fresh memory as before).
 *
 * A lazy chunk: loaded when a file is first sent (call-session.ts), the initial load having no room for it.
 */

/** Reads a block of a file (a slice of it) into `into` if given, as FileSource.read does. */
export async function readBlock(
  blob: Blob,
  into: Uint8Array<ArrayBuffer> | undefined,
): Promise<Uint8Array<ArrayBuffer>> {
  const reader = into && byobReader(blob);
  if (!reader) return new Uint8Array(await blob.arrayBuffer());
  // Each read transfers the buffer and hands it back filled a little further (the browser's own chunks).
  let buffer = into.buffer;
  let filled = 0;
  try {
    while (filled < blob.size) {
      const { value, done } = await reader.read(new Uint8Array(buffer, into.byteOffset + filled, blob.size - filled));
      if (value) buffer = value.buffer;
      if (done || !value) break;
      filled += value.byteLength;
    }
  } finally {
    reader.releaseLock();
  }
  return new Uint8Array(buffer, into.byteOffset, filled);
}

function byobReader(blob: Blob): ReadableStreamBYOBReader | undefined {
  try {
    return blob.stream().getReader({ mode: 'byob' });
  } catch {
    return undefined; // not a byte stream here
  }
}
