import { parseObject } from './peer-messages';
import { HASH_PIECE_BYTES, PieceHash } from './piece-hash';

/*
 * File transfer over its own reliable, ordered data channel. Control messages are JSON strings; file data is
 * binary chunks, which always belong to the one incoming transfer being received (the channel is ordered, so
 * chunks of a cancelled transfer arrive before anything newer). The sender reads the file a block at a time, sends
 * it in chunks and waits whenever the channel's buffer is full; the receiver hands bytes to a sink (a file on disk in
 * the browser, see file-sink.ts), so memory stays bounded for files of any size. The sender hashes the file while
 * its offer waits, the receiver what arrived, and they compare at the end; the sender hears `verified` only once
 * the receiver's copy is stored.
 *
 * About 400 lines: sending and receiving are one protocol (the same control messages, checked the same way),
 * kept in one class so that each message's handling on both sides reads together.
 */

/** Bytes per data-channel message: small enough for every browser's SCTP message limit. */
export const FILE_CHUNK_BYTES = 16 * 1024;
/**
 * Bytes read from the file at a time (each read is a round trip to the browser's file storage): one checksum piece,
 * so each block is hashed as read, without a copy.
 */
export const FILE_READ_BYTES = HASH_PIECE_BYTES;
/** The sender pauses when this much is queued in the channel... */
export const FILE_BUFFER_HIGH_BYTES = 1024 * 1024;
/** ...and resumes when the queue drains to this (the channel's `bufferedAmountLowThreshold`). */
export const FILE_BUFFER_LOW_BYTES = 256 * 1024;
/**
 * Progress is reported at most this often while bytes flow (a chunk's worth of it came per 16 KB chunk: 2,048 reports
 * per 32 MiB, each copied and passed to the UI, which redraws far less often anyway). State changes are reported at
 * once.
 */
export const PROGRESS_REPORT_MS = 50;
/** File names longer than this are cut (no file system takes much more). */
export const MAX_FILE_NAME_LENGTH = 200;

export type TransferState =
  | 'offered' // waiting for the receiver to accept
  | 'transferring'
  | 'verifying'
  | 'done'
  | 'declined'
  | 'cancelled'
  | 'failed';

/** A transfer as the UI shows it. `R` is what a finished download produces (a Blob in the browser). */
export interface Transfer<R> {
  id: string;
  direction: 'send' | 'receive';
  name: string;
  size: number;
  mime: string;
  state: TransferState;
  /** Bytes that have reached the other side (send) or arrived (receive). */
  bytes: number;
  startedAt?: number;
  /** Average rate since the transfer started, bytes per second. */
  bytesPerSecond: number;
  /** Why it was cancelled or failed, in plain language. */
  reason?: string;
  result?: R;
}

/** A file being sent, read piece by piece. */
export interface FileSource {
  name: string;
  size: number;
  type: string;
  /**
   * `length` bytes of the file from `offset` (fewer only if the file got shorter meanwhile). `into`, when given, is a
   * buffer of at least `length` bytes the caller is done with: the source reads into its memory if it can and returns
   * a view of it (perhaps through another ArrayBuffer object: a BYOB stream transfers the buffer it fills), and
   * otherwise returns fresh memory. Never a view of memory the source keeps using.
   */
  read(offset: number, length: number, into?: Uint8Array<ArrayBuffer>): Promise<Uint8Array<ArrayBuffer>>;
}

/** Where received bytes go. */
export interface FileSink<R> {
  /**
   * The next piece of the file (whole checksum pieces, the last one shorter); it is not changed afterwards, and the
   * sink may take its buffer over.
   */
  append(piece: Uint8Array): void;
  /** A piece-sized buffer the sink is done with, to gather the next piece in (saves fresh memory), if it has one. */
  spare?(): Uint8Array | undefined;
  /** The whole file, once everything appended is stored; rejects if it could not be. */
  finish(): R | Promise<R>;
  /** Throws away what was stored: the transfer ended without a file. */
  discard?(): void;
}

/** The parts of RTCDataChannel a transfer needs. */
export interface TransferChannel {
  readonly bufferedAmount: number;
  send(data: string | Uint8Array<ArrayBuffer>): void;
  /** Resolves once `bufferedamountlow` fires (the channel's threshold is FILE_BUFFER_LOW_BYTES). */
  drained(): Promise<void>;
}

type Control =
  | { t: 'offer'; id: string; name: string; size: number; mime: string }
  | { t: 'accept' | 'decline' | 'cancel'; id: string }
  | { t: 'end'; id: string; sha256: string }
  | { t: 'verified'; id: string; ok: boolean };

/** Reads a control message from the peer, or undefined when it is not one. */
export function parseControl(raw: string): Control | undefined {
  const m = parseObject(raw);
  if (!m || typeof m.id !== 'string' || m.id.length === 0 || m.id.length > 64) return undefined;
  switch (m.t) {
    case 'offer':
      if (typeof m.name !== 'string' || typeof m.mime !== 'string') return undefined;
      if (typeof m.size !== 'number' || !Number.isSafeInteger(m.size) || m.size < 0) return undefined;
      return { t: 'offer', id: m.id, name: safeFileName(m.name), size: m.size, mime: safeMime(m.mime) };
    case 'accept':
    case 'decline':
    case 'cancel':
      return { t: m.t, id: m.id };
    case 'end':
      return typeof m.sha256 === 'string' ? { t: 'end', id: m.id, sha256: m.sha256 } : undefined;
    case 'verified':
      return typeof m.ok === 'boolean' ? { t: 'verified', id: m.id, ok: m.ok } : undefined;
    default:
      return undefined;
  }
}

/** A name that is safe to offer as a download: no paths, no control characters, not empty, not too long. */
export function safeFileName(name: string): string {
  const cleaned = name
    // biome-ignore lint/suspicious/noControlCharactersInRegex: stripping control characters is the point
    .replace(/[\u0000-\u001f\u007f/\\]/g, '_')
    .replace(/^\.+/, '')
    .trim();
  return cleaned.slice(0, MAX_FILE_NAME_LENGTH) || 'file';
}

function safeMime(mime: string): string {
  return /^[\w.+-]+\/[\w.+-]+$/.test(mime) ? mime : 'application/octet-stream';
}

/** The one file being received. */
interface Incoming<R> {
  transfer: Transfer<R>;
  sink: FileSink<R>;
  hash: PieceHash;
}

/** Both directions of file transfer over one data channel. */
export class FileTransfers<R> {
  readonly #transfers = new Map<string, Transfer<R>>();
  readonly #sources = new Map<string, FileSource>();
  #incoming: Incoming<R> | undefined;
  #sequence = 0;
  /** The checksum of each file offered here, computed while the offer waits (see #checksum). */
  readonly #checksums = new Map<string, Promise<string>>();
  /** When each moving transfer's progress was last reported. */
  readonly #reportedAt = new WeakMap<Transfer<R>, number>();

  readonly #channel: TransferChannel;
  readonly #createSink: (transfer: Transfer<R>) => FileSink<R>;
  readonly #changed: (transfer: Transfer<R>) => void;
  readonly #now: () => number;

  constructor(
    channel: TransferChannel,
    createSink: (transfer: Transfer<R>) => FileSink<R>,
    changed: (transfer: Transfer<R>) => void,
    now: () => number = Date.now,
  ) {
    this.#channel = channel;
    this.#createSink = createSink;
    this.#changed = changed;
    this.#now = now;
  }

  /** Offers a file to the peer. */
  send(source: FileSource): Transfer<R> {
    this.#sequence += 1;
    const id = `${this.#now().toString(36)}-${this.#sequence}`;
    const transfer: Transfer<R> = {
      id,
      direction: 'send',
      name: safeFileName(source.name),
      size: source.size,
      mime: safeMime(source.type),
      state: 'offered',
      bytes: 0,
      bytesPerSecond: 0,
    };
    this.#transfers.set(id, transfer);
    this.#sources.set(id, source);
    const checksum = this.#checksum(transfer, source);
    checksum.catch(() => undefined); // the sender waits for it; an offer declined meanwhile never does
    this.#checksums.set(id, checksum);
    this.#control({ t: 'offer', id, name: transfer.name, size: transfer.size, mime: transfer.mime });
    this.#changed(transfer);
    return transfer;
  }

  /** Accepts an offered incoming file. Only one file is received at a time. */
  accept(id: string): void {
    const transfer = this.#transfers.get(id);
    if (transfer?.direction !== 'receive' || transfer.state !== 'offered') return;
    if (this.#incoming) {
      this.#finish(transfer, 'declined', 'Another file is still arriving.');
      this.#control({ t: 'decline', id });
      return;
    }
    this.#start(transfer);
    const sink = this.#createSink(transfer);
    // Each piece hashed is the piece stored: the bytes are gathered once, into buffers the sink has done with.
    const hash = new PieceHash(
      (piece) => sink.append(piece),
      () => sink.spare?.() ?? new Uint8Array(HASH_PIECE_BYTES),
    );
    this.#incoming = { transfer, sink, hash };
    this.#control({ t: 'accept', id });
  }

  /** Declines an offered incoming file. */
  decline(id: string): void {
    const transfer = this.#transfers.get(id);
    if (transfer?.direction !== 'receive' || transfer.state !== 'offered') return;
    this.#control({ t: 'decline', id });
    this.#finish(transfer, 'declined');
  }

  /** Cancels a transfer in either direction, telling the peer. */
  cancel(id: string): void {
    const transfer = this.#transfers.get(id);
    if (!transfer || !isActive(transfer)) return;
    this.#control({ t: 'cancel', id });
    this.#finish(transfer, 'cancelled', 'You cancelled it.');
  }

  /** Fails every unfinished transfer: the channel closed under them. */
  close(reason = 'The connection was lost.'): void {
    for (const transfer of this.#transfers.values()) if (isActive(transfer)) this.#finish(transfer, 'failed', reason);
  }

  /** Handles a message from the data channel. */
  receive(data: string | ArrayBuffer): void {
    if (typeof data !== 'string') {
      this.#receiveChunk(new Uint8Array(data));
      return;
    }
    const message = parseControl(data);
    if (!message) return;
    const transfer = this.#transfers.get(message.id);
    switch (message.t) {
      case 'offer':
        if (transfer) return;
        this.#transfers.set(message.id, {
          id: message.id,
          direction: 'receive',
          name: message.name,
          size: message.size,
          mime: message.mime,
          state: 'offered',
          bytes: 0,
          bytesPerSecond: 0,
        });
        this.#changed(this.#transfers.get(message.id) as Transfer<R>);
        return;
      case 'accept':
        if (transfer?.direction === 'send' && transfer.state === 'offered') void this.#pump(transfer);
        return;
      case 'decline':
        if (transfer?.direction === 'send' && transfer.state === 'offered') this.#finish(transfer, 'declined');
        return;
      case 'cancel':
        if (transfer && isActive(transfer)) this.#finish(transfer, 'cancelled', 'The other side cancelled it.');
        return;
      case 'end':
        if (transfer && this.#incoming?.transfer === transfer) void this.#verify(message.sha256);
        return;
      case 'verified':
        if (transfer?.direction === 'send' && transfer.state === 'verifying') {
          if (message.ok) this.#finish(transfer, 'done');
          else this.#finish(transfer, 'failed', 'The file arrived damaged.');
        }
        return;
    }
  }

  #start(transfer: Transfer<R>): void {
    transfer.state = 'transferring';
    transfer.startedAt = this.#now();
    this.#changed(transfer);
  }

  /** Records how far a transfer got; reported at most every PROGRESS_REPORT_MS. */
  #progress(transfer: Transfer<R>, bytes: number): void {
    const now = this.#now();
    transfer.bytes = bytes;
    const seconds = (now - (transfer.startedAt ?? now)) / 1000;
    transfer.bytesPerSecond = seconds > 0 ? Math.round(bytes / seconds) : 0;
    if (now - (this.#reportedAt.get(transfer) ?? -Infinity) < PROGRESS_REPORT_MS) return;
    this.#reportedAt.set(transfer, now);
    this.#changed(transfer);
  }

  /**
   * The file's checksum, read and hashed block by block from the moment it is offered: while the other person
   * decides, so that little or none of the hashing is left for the transfer itself, where it competes with sending
   * for the same CPU (measured: SHA-256 of every sent block cost the sending page 100–300 ms per 32 MiB on a
   * machine where CPU set the pace). Stops once the transfer is over.
   */
  async #checksum(transfer: Transfer<R>, source: FileSource): Promise<string> {
    const hash = new PieceHash();
    let block: Uint8Array<ArrayBuffer> | undefined;
    for (let offset = 0; offset < source.size; ) {
      // Once hashed, a block's buffer takes the next block (crypto.subtle.digest copied it as it was called).
      block = await source.read(offset, Math.min(FILE_READ_BYTES, source.size - offset), spareBuffer(block));
      if (!isActive(transfer)) throw new Error('the transfer is over');
      if (block.length === 0) throw new Error('the file got shorter while it was being read');
      hash.update(block);
      offset += block.length;
      await hash.hashed();
    }
    return hash.hex();
  }

  async #pump(transfer: Transfer<R>): Promise<void> {
    const source = this.#sources.get(transfer.id);
    const checksum = this.#checksums.get(transfer.id);
    if (!source || !checksum) return;
    this.#start(transfer);
    let offset = 0;
    let block = new Uint8Array();
    let taken = 0;
    // The next block is read while this one is sent, so the channel never waits for the file. Two buffers take
    // turns: a block's buffer takes the next block but one once all of it is sent (send copies what it is given).
    let readAt = 0;
    const readNext = (into: Uint8Array<ArrayBuffer> | undefined): Promise<Uint8Array<ArrayBuffer>> => {
      const length = Math.min(FILE_READ_BYTES, source.size - readAt);
      const read = source.read(readAt, length, into);
      readAt += length;
      read.catch(() => undefined); // a read nobody waits for any more (the transfer ended) fails quietly
      return read;
    };
    let nextBlock = readNext(undefined);
    try {
      while (offset < source.size) {
        if (this.#channel.bufferedAmount > FILE_BUFFER_HIGH_BYTES) await this.#channel.drained();
        if (transfer.state !== 'transferring') return;
        if (taken === block.length) {
          const sent = block;
          block = await nextBlock;
          if (readAt < source.size) nextBlock = readNext(spareBuffer(sent));
          taken = 0;
          if (transfer.state !== 'transferring') return;
          if (block.length === 0) throw new Error('the file got shorter while it was being sent');
        }
        const chunk = block.subarray(taken, taken + FILE_CHUNK_BYTES);
        taken += chunk.length;
        this.#channel.send(chunk as Uint8Array<ArrayBuffer>);
        offset += chunk.length;
        this.#progress(transfer, Math.max(0, offset - this.#channel.bufferedAmount));
      }
      const sha256 = await checksum;
      if (transfer.state !== 'transferring') return;
      this.#control({ t: 'end', id: transfer.id, sha256 });
      transfer.state = 'verifying';
      transfer.bytes = offset;
      this.#changed(transfer);
    } catch (error) {
      if (!isActive(transfer)) return;
      this.#control({ t: 'cancel', id: transfer.id });
      this.#finish(transfer, 'failed', `The file could not be read (${String(error)}).`);
    } finally {
      this.#sources.delete(transfer.id);
      this.#checksums.delete(transfer.id);
    }
  }

  #receiveChunk(chunk: Uint8Array): void {
    const incoming = this.#incoming;
    if (!incoming) return; // the tail of a transfer cancelled here
    const { transfer } = incoming;
    if (transfer.bytes + chunk.length > transfer.size) {
      this.#control({ t: 'cancel', id: transfer.id });
      this.#finish(transfer, 'failed', 'The other side sent more than the file size it announced.');
      return;
    }
    incoming.hash.update(chunk);
    this.#progress(transfer, transfer.bytes + chunk.length);
  }

  async #verify(expected: string): Promise<void> {
    const { transfer, sink, hash } = this.#incoming as Incoming<R>;
    let result: R | undefined;
    let reason = 'The file arrived damaged (its checksum does not match), so it was discarded.';
    const complete = transfer.bytes === transfer.size && (await hash.hex()) === expected;
    if (transfer.state !== 'transferring') return; // cancelled meanwhile
    if (complete) {
      transfer.state = 'verifying';
      this.#changed(transfer);
      try {
        result = await sink.finish();
      } catch (error) {
        reason = `The file could not be stored (${error}).`;
      }
      if (transfer.state !== 'verifying') return; // cancelled meanwhile
    }
    this.#control({ t: 'verified', id: transfer.id, ok: !!result });
    transfer.result = result;
    if (result) this.#finish(transfer, 'done');
    else this.#finish(transfer, 'failed', reason);
  }

  #finish(transfer: Transfer<R>, state: TransferState, reason?: string): void {
    transfer.state = state;
    if (reason) transfer.reason = reason;
    if (this.#incoming?.transfer === transfer) {
      if (state !== 'done') this.#incoming.sink.discard?.();
      this.#incoming = undefined;
    }
    this.#sources.delete(transfer.id);
    this.#checksums.delete(transfer.id);
    this.#changed(transfer);
  }

  #control(message: Control): void {
    try {
      this.#channel.send(JSON.stringify(message));
    } catch {
      // The channel closed; `close()` will fail what is still running.
    }
  }
}

/**
 * The whole buffer behind a block read before, for the next read to fill: reading into the same memory again keeps
 * the page's memory flat, where a fresh 4 MB buffer per read left garbage faster than it was collected (measured: a
 * 1 GiB file grew the sending page by up to ~275 MB). Undefined before the first block.
 */
function spareBuffer(block: Uint8Array<ArrayBuffer> | undefined): Uint8Array<ArrayBuffer> | undefined {
  return block && block.buffer.byteLength >= FILE_READ_BYTES ? new Uint8Array(block.buffer) : undefined;
}

function isActive(transfer: Transfer<unknown>): boolean {
  return transfer.state === 'offered' || transfer.state === 'transferring' || transfer.state === 'verifying';
}
