import { createHash } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import {
  FILE_BUFFER_HIGH_BYTES,
  FILE_BUFFER_LOW_BYTES,
  FILE_CHUNK_BYTES,
  FILE_READ_BYTES,
  type FileSink,
  FileTransfers,
  PROGRESS_REPORT_MS,
  parseControl,
  safeFileName,
  type Transfer,
  type TransferChannel,
} from './file-transfer';
import { HASH_PIECE_BYTES } from './piece-hash';

/** One direction of an ordered data channel whose messages wait in `queue` until the test delivers them. */
class FakeChannel implements TransferChannel {
  readonly queue: (string | Uint8Array)[] = [];
  bufferedAmount = 0;
  maxBuffered = 0;
  /** The largest binary message sent. */
  maxChunk = 0;
  private lowWaiters: (() => void)[] = [];
  tamper: ((chunk: Uint8Array) => Uint8Array) | undefined;

  send(data: string | Uint8Array): void {
    const copy = typeof data === 'string' ? data : new Uint8Array(data);
    this.queue.push(copy);
    this.bufferedAmount += typeof copy === 'string' ? copy.length : copy.length;
    this.maxBuffered = Math.max(this.maxBuffered, this.bufferedAmount);
    if (typeof copy !== 'string') this.maxChunk = Math.max(this.maxChunk, copy.length);
  }

  drained(): Promise<void> {
    return new Promise((resolve) => this.lowWaiters.push(resolve));
  }

  take(): string | ArrayBuffer | undefined {
    const next = this.queue.shift();
    if (next === undefined) return undefined;
    this.bufferedAmount -= next.length;
    if (this.bufferedAmount <= FILE_BUFFER_LOW_BYTES) {
      for (const wake of this.lowWaiters.splice(0)) wake();
    }
    if (typeof next === 'string') return next;
    const bytes = this.tamper ? this.tamper(next) : next;
    return bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
  }
}

/** Keeps a received file in memory; stores it asynchronously, as a sink on disk does, or fails to. */
class MemorySink implements FileSink<Uint8Array> {
  readonly parts: Uint8Array[] = [];
  discarded = false;
  constructor(private readonly storeError?: Error) {}
  append(bytes: Uint8Array): void {
    this.parts.push(bytes);
  }
  async finish(): Promise<Uint8Array> {
    await new Promise<void>((resolve) => setImmediate(resolve));
    if (this.storeError) throw this.storeError;
    return new Uint8Array(Buffer.concat(this.parts));
  }
  discard(): void {
    this.discarded = true;
  }
}

/** Stores a copy of each piece and gives its buffer back to gather the next one in, as the sink on disk does. */
class RecyclingSink extends MemorySink {
  readonly buffers = new Set<ArrayBufferLike>();
  readonly #spares: Uint8Array[] = [];
  override append(bytes: Uint8Array): void {
    super.append(bytes.slice());
    this.buffers.add(bytes.buffer);
    this.#spares.push(new Uint8Array(bytes.buffer));
  }
  spare(): Uint8Array | undefined {
    return this.#spares.pop();
  }
}

function pattern(size: number): Uint8Array {
  const bytes = new Uint8Array(size);
  for (let i = 0; i < size; i++) bytes[i] = (i * 31 + (i >> 8)) & 0xff;
  return bytes;
}

function source(bytes: Uint8Array, name = 'notes.pdf') {
  return {
    name,
    size: bytes.length,
    type: 'application/pdf',
    read: async (offset: number, length: number) => bytes.slice(offset, offset + length),
  };
}

/** A clock that moves on by one progress interval each time it is read: every progress step is reported. */
function steppingClock(): () => number {
  let now = 0;
  return () => (now += PROGRESS_REPORT_MS);
}

function connect(storeError?: Error, newSink = () => new MemorySink(storeError), now = steppingClock()) {
  const aToB = new FakeChannel();
  const bToA = new FakeChannel();
  const seen = { a: [] as Transfer<Uint8Array>[], b: [] as Transfer<Uint8Array>[] };
  const sinks: MemorySink[] = [];
  const makeSink = () => {
    const sink = newSink();
    sinks.push(sink);
    return sink;
  };
  const a = new FileTransfers<Uint8Array>(aToB, makeSink, (t) => seen.a.push({ ...t }), now);
  const b = new FileTransfers<Uint8Array>(bToA, makeSink, (t) => seen.b.push({ ...t }), now);
  /** Whether some transfer is still moving or being checked (hashing finishes off the main thread). */
  const busy = () => {
    const latest = new Map<string, string>();
    for (const t of [...seen.a, ...seen.b]) latest.set(`${t.direction}:${t.id}`, t.state);
    return [...latest.values()].some((state) => state === 'transferring' || state === 'verifying');
  };
  /** Delivers messages both ways until nothing moves and nothing is busy; `stopWhen` can interrupt. */
  const run = async (stopWhen: () => boolean = () => false) => {
    for (let idle = 0, turns = 0; idle < 3; turns++) {
      if (turns > 1_000_000) throw new Error('the transfer never settled');
      const forB = aToB.take();
      if (forB !== undefined) b.receive(forB);
      const forA = bToA.take();
      if (forA !== undefined) a.receive(forA);
      idle = forA === undefined && forB === undefined && !busy() ? idle + 1 : 0;
      if (stopWhen()) return;
      await new Promise<void>((resolve) => setImmediate(resolve));
    }
  };
  const last = (side: 'a' | 'b') => seen[side].at(-1) as Transfer<Uint8Array>;
  return { a, b, aToB, bToA, seen, sinks, run, last };
}

describe('when a file is offered and accepted', () => {
  it('should arrive intact, verified on both sides, with progress up to its size', async () => {
    const link = connect();
    const bytes = pattern(5 * FILE_CHUNK_BYTES + 123);
    link.a.send(source(bytes));
    await link.run();
    expect(link.last('b')).toMatchObject({
      direction: 'receive',
      state: 'offered',
      name: 'notes.pdf',
      size: bytes.length,
    });
    link.b.accept(link.last('b').id);
    await link.run();
    expect(link.last('a')).toMatchObject({ state: 'done', bytes: bytes.length });
    expect(link.last('b')).toMatchObject({ state: 'done', bytes: bytes.length });
    expect(link.sinks[0]?.discarded).toBe(false);
    expect(
      createHash('sha256')
        .update(link.last('b').result as Uint8Array)
        .digest('hex'),
    ).toBe(createHash('sha256').update(bytes).digest('hex'));
    expect(link.seen.b.filter((t) => t.state === 'transferring').length).toBeGreaterThan(5);
  });

  it('should read the next block of the file while it sends the one before', async () => {
    const link = connect();
    const bytes = pattern(2 * FILE_READ_BYTES + 5);
    /** For each read: how many binary chunks had gone into the channel when it was asked for. */
    const chunksSentAtRead: number[] = [];
    let chunksSent = 0;
    const send = link.aToB.send.bind(link.aToB);
    link.aToB.send = (data) => {
      if (typeof data !== 'string') chunksSent++;
      send(data);
    };
    const file = source(bytes);
    link.a.send({
      ...file,
      read: (offset, length) => {
        chunksSentAtRead.push(chunksSent);
        return file.read(offset, length);
      },
    });
    await link.run();
    // While the offer waits, the whole file is read once, for its checksum (paced by the hashing, off this thread).
    while (chunksSentAtRead.length < 3) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(chunksSentAtRead).toEqual([0, 0, 0]);
    link.b.accept(link.last('b').id);
    await link.run();
    expect(link.last('b').state).toBe('done');
    // Then for sending: the second block was asked for before any of the first was sent, the third before the
    // second was.
    expect(chunksSentAtRead.slice(3)).toEqual([0, 0, FILE_READ_BYTES / FILE_CHUNK_BYTES]);
  });

  it('should read each block into a buffer it read before (two take turns for sending) and send the file intact', async () => {
    const link = connect();
    const bytes = pattern(6 * FILE_READ_BYTES + 77);
    let freshReads = 0;
    let reusedReads = 0;
    const file = source(bytes);
    link.a.send({
      ...file,
      // As a BYOB reader does: fill the given memory, and hand it back through a new ArrayBuffer object.
      read: async (offset, length, into) => {
        if (into) {
          expect(into.length).toBeGreaterThanOrEqual(length);
          reusedReads += 1;
        } else freshReads += 1;
        const memory = into?.buffer ?? new ArrayBuffer(FILE_READ_BYTES);
        new Uint8Array(memory).set(bytes.subarray(offset, offset + length));
        return new Uint8Array(structuredClone(memory, { transfer: [memory] }), 0, length);
      },
    });
    await link.run();
    link.b.accept(link.last('b').id);
    await link.run();
    expect(link.last('a').state).toBe('done');
    expect(link.last('b').state).toBe('done');
    expect(Buffer.from(link.last('b').result as Uint8Array).equals(Buffer.from(bytes))).toBe(true);
    // Fresh memory only for the checksum's first block and the first two blocks sent: 7 blocks read twice.
    expect(freshReads).toBe(3);
    expect(reusedReads).toBe(2 * 7 - 3);
  });

  it('should stop hashing an offered file once the offer is declined', async () => {
    const link = connect();
    const file = source(pattern(5 * FILE_READ_BYTES));
    let reads = 0;
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    link.a.send({
      ...file,
      read: async (offset, length) => {
        reads += 1;
        await released; // the disk is slow: the first read is still pending when the answer comes
        return file.read(offset, length);
      },
    });
    await link.run();
    link.b.decline(link.last('b').id);
    await link.run();
    expect(link.last('a').state).toBe('declined');
    release();
    await link.run();
    expect(reads).toBe(1);
  });

  it('should fail the transfer when the file cannot be read for its checksum', async () => {
    const link = connect();
    const file = source(pattern(FILE_READ_BYTES + 10));
    link.a.send({
      ...file,
      read: async (offset, length) => {
        if (offset > 0) throw new Error('the disk went away');
        return file.read(offset, length);
      },
    });
    await link.run();
    link.b.accept(link.last('b').id);
    await link.run();
    expect(link.last('a')).toMatchObject({ state: 'failed' });
    expect(link.last('a').reason).toMatch(/could not be read.*the disk went away/);
    expect(link.last('b')).toMatchObject({ state: 'cancelled' });
  });

  it('should keep the channel buffer bounded and chunks small, and store whole checksum pieces', async () => {
    const link = connect();
    const bytes = pattern(4 * 1024 * 1024 + 7);
    link.a.send(source(bytes));
    await link.run();
    link.b.accept(link.last('b').id);
    await link.run();
    expect(link.last('b').state).toBe('done');
    expect(link.aToB.maxBuffered).toBeLessThanOrEqual(FILE_BUFFER_HIGH_BYTES + FILE_CHUNK_BYTES + 1024);
    expect(link.aToB.maxChunk).toBe(FILE_CHUNK_BYTES);
    // The receiver stores the pieces it hashed: whole ones, then the rest.
    expect(link.sinks[0]?.parts.map((part) => part.length)).toEqual([HASH_PIECE_BYTES, 7]);
  });

  it('should report progress at most every PROGRESS_REPORT_MS, and every change of state at once', async () => {
    const link = connect(undefined, undefined, () => 1_000);
    const bytes = pattern(40 * FILE_CHUNK_BYTES);
    link.a.send(source(bytes));
    await link.run();
    link.b.accept(link.last('b').id);
    await link.run();
    for (const side of ['a', 'b'] as const) {
      // With the clock standing still: the start, then one progress report, then the end's states.
      expect(link.seen[side].map((t) => t.state)).toEqual([
        'offered',
        'transferring',
        'transferring',
        'verifying',
        'done',
      ]);
      expect(link.last(side).bytes).toBe(bytes.length);
    }
  });

  it('should gather the pieces in the buffers the sink gives back', async () => {
    const sink = new RecyclingSink();
    const link = connect(undefined, () => sink);
    const bytes = pattern(3 * HASH_PIECE_BYTES + 5);
    link.a.send(source(bytes));
    await link.run();
    link.b.accept(link.last('b').id);
    await link.run();
    expect(link.last('b').state).toBe('done');
    expect(Buffer.concat(sink.parts).equals(Buffer.from(bytes))).toBe(true);
    expect(sink.buffers.size).toBe(1);
  });

  it('should send an empty file', async () => {
    const link = connect();
    link.a.send(source(new Uint8Array(0), 'empty.txt'));
    await link.run();
    link.b.accept(link.last('b').id);
    await link.run();
    expect(link.last('a').state).toBe('done');
    expect(link.last('b').result).toEqual(new Uint8Array(0));
  });
});

describe('when the receiver declines', () => {
  it('should tell the sender and send no data', async () => {
    const link = connect();
    link.a.send(source(pattern(50_000)));
    await link.run();
    link.b.decline(link.last('b').id);
    await link.run();
    expect(link.last('a').state).toBe('declined');
    expect(link.last('b').state).toBe('declined');
    expect(link.sinks).toHaveLength(0);
  });
});

describe('when either side cancels mid-transfer', () => {
  it('should stop the sender when the receiver cancels', async () => {
    const link = connect();
    link.a.send(source(pattern(3 * 1024 * 1024)));
    await link.run();
    const id = link.last('b').id;
    link.b.accept(id);
    await link.run(() => link.last('b').bytes > 100_000);
    link.b.cancel(id);
    await link.run();
    expect(link.last('a')).toMatchObject({ state: 'cancelled', reason: 'The other side cancelled it.' });
    expect(link.last('b')).toMatchObject({ state: 'cancelled', reason: 'You cancelled it.' });
    expect(link.last('a').bytes).toBeLessThan(3 * 1024 * 1024);
  });

  it('should stop the receiver when the sender cancels', async () => {
    const link = connect();
    link.a.send(source(pattern(3 * 1024 * 1024)));
    await link.run();
    const id = link.last('b').id;
    link.b.accept(id);
    await link.run(() => link.last('a').bytes > 100_000);
    link.a.cancel(id);
    await link.run();
    expect(link.last('b').state).toBe('cancelled');
    expect(link.last('b').result).toBeUndefined();
    expect(link.sinks[0]?.discarded).toBe(true);
  });
});

describe('when the receiver cannot store the file', () => {
  it('should fail it on both sides and discard what was stored', async () => {
    const link = connect(new Error('QuotaExceededError'));
    link.a.send(source(pattern(40_000)));
    await link.run();
    link.b.accept(link.last('b').id);
    await link.run();
    expect(link.last('b').state).toBe('failed');
    expect(link.last('b').result).toBeUndefined();
    expect(link.last('b').reason).toContain('could not be stored');
    expect(link.last('a').state).toBe('failed');
    expect(link.sinks[0]?.discarded).toBe(true);
  });
});

describe('when the data is damaged in transit', () => {
  it('should fail the transfer on both sides and offer nothing to save', async () => {
    const link = connect();
    link.aToB.tamper = (chunk) => {
      const copy = new Uint8Array(chunk);
      copy[0] = (copy[0] ?? 0) ^ 1;
      return copy;
    };
    link.a.send(source(pattern(40_000)));
    await link.run();
    link.b.accept(link.last('b').id);
    await link.run();
    expect(link.last('b')).toMatchObject({ state: 'failed' });
    expect(link.last('b').result).toBeUndefined();
    expect(link.last('a')).toMatchObject({ state: 'failed', reason: 'The file arrived damaged.' });
  });
});

describe('when the channel closes', () => {
  it('should fail what is still running', async () => {
    const link = connect();
    link.a.send(source(pattern(1000)));
    link.a.close();
    expect(link.last('a')).toMatchObject({ state: 'failed', reason: 'The connection was lost.' });
  });
});

describe('when reading control messages from the peer', () => {
  it('should reject malformed ones', () => {
    expect(parseControl('not json')).toBeUndefined();
    expect(parseControl('{"t":"offer","id":"x","name":"a","size":-1,"mime":"a/b"}')).toBeUndefined();
    expect(parseControl('{"t":"explode","id":"x"}')).toBeUndefined();
  });
  it('should make offered names and types safe', () => {
    expect(parseControl('{"t":"offer","id":"x","name":"../../etc/passwd","size":1,"mime":"text/html;evil"}')).toEqual({
      t: 'offer',
      id: 'x',
      name: '_.._etc_passwd',
      size: 1,
      mime: 'application/octet-stream',
    });
    expect(safeFileName('...')).toBe('file');
  });
});
