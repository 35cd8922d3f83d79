import { describe, expect, it } from 'vitest';
import { readBlock } from './file-source';

const BLOCK_BYTES = 4 * 1024 * 1024;

function pattern(size: number): Uint8Array<ArrayBuffer> {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 7 + (i >> 10)) & 0xff;
  return bytes;
}

describe('when a block of a picked file is read', () => {
  const bytes = pattern(2 * BLOCK_BYTES + 3);
  const file = new Blob([bytes]);

  it('should fill the buffer it is given (taking it over) with the block’s bytes', async () => {
    const into = new Uint8Array(BLOCK_BYTES);
    const block = await readBlock(file.slice(BLOCK_BYTES, 2 * BLOCK_BYTES), into);
    expect(Buffer.from(block).equals(Buffer.from(bytes.subarray(BLOCK_BYTES, 2 * BLOCK_BYTES)))).toBe(true);
    // The given memory was transferred to the reader and came back as the block's buffer: nothing new was made.
    expect(into.buffer.byteLength).toBe(0);
    expect(block.buffer.byteLength).toBe(BLOCK_BYTES);
  });

  it('should return a shorter block, in the given buffer, when the file ends first', async () => {
    const block = await readBlock(file.slice(2 * BLOCK_BYTES), new Uint8Array(BLOCK_BYTES));
    expect([...block]).toEqual([...bytes.subarray(2 * BLOCK_BYTES)]);
    expect(block.buffer.byteLength).toBe(BLOCK_BYTES);
  });

  it('should read into fresh memory when given no buffer', async () => {
    const block = await readBlock(file.slice(5, 105), undefined);
    expect([...block]).toEqual([...bytes.subarray(5, 105)]);
  });

  it('should read into fresh memory where the file’s stream is not a byte stream', async () => {
    const part = file.slice(0, 100);
    // As a browser whose Blob.stream() is a plain stream: a BYOB reader cannot be had.
    const plain = Object.assign(part, { stream: () => new ReadableStream() });
    const into = new Uint8Array(BLOCK_BYTES);
    const block = await readBlock(plain, into);
    expect([...block]).toEqual([...bytes.subarray(0, 100)]);
    expect(into.buffer.byteLength).toBe(BLOCK_BYTES);
  });
});
