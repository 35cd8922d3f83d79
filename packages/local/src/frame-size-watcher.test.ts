import { describe, expect, it } from 'vitest';
import { FrameSizeWatcher } from './frame-size-watcher';

/** A masked client frame header (RFC 6455) for a payload of `length` bytes. */
function header(length: number, opcode = 0x1): Buffer {
  const mask = [1, 2, 3, 4];
  if (length < 126) return Buffer.from([0x80 | opcode, 0x80 | length, ...mask]);
  if (length < 65_536) return Buffer.from([0x80 | opcode, 0x80 | 126, length >> 8, length & 0xff, ...mask]);
  const extended = Buffer.alloc(8);
  extended.writeBigUInt64BE(BigInt(length));
  return Buffer.concat([Buffer.from([0x80 | opcode, 0x80 | 127]), extended, Buffer.from(mask)]);
}

function frame(length: number, opcode?: number): Buffer {
  return Buffer.concat([header(length, opcode), Buffer.alloc(length)]);
}

describe('when watching client frames against a size limit', () => {
  it('should stay quiet for frames within the limit, however the bytes are chunked', () => {
    const oversized: number[] = [];
    const watcher = new FrameSizeWatcher(300, (bytes) => oversized.push(bytes));
    const stream = Buffer.concat([frame(10), frame(300), frame(125, 0x9), frame(0)]);
    for (let i = 0; i < stream.length; i += 7) watcher.push(stream.subarray(i, i + 7));
    expect(oversized).toEqual([]);
  });

  it('should report the first oversized data frame once, with 16-bit and 64-bit lengths', () => {
    for (const length of [301, 70_000]) {
      const oversized: number[] = [];
      const watcher = new FrameSizeWatcher(300, (bytes) => oversized.push(bytes));
      watcher.push(Buffer.concat([frame(5), header(length)]));
      watcher.push(Buffer.alloc(length));
      watcher.push(frame(length));
      expect(oversized).toEqual([length]);
    }
  });
});
