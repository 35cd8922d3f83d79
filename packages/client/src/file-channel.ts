import { FILE_BUFFER_LOW_BYTES, type TransferChannel } from './file-transfer';

/*
 * The file channel as file transfer sees it: the browser's RTCDataChannel wrapped (not extended), with a way to wait
 * for its send buffer to drain.
 */

/** One data channel carrying file transfers: sends, reports what is buffered, and waits for the buffer to drain. */
export class FileChannel implements TransferChannel {
  readonly #channel: RTCDataChannel;

  constructor(channel: RTCDataChannel) {
    this.#channel = channel;
    channel.binaryType = 'arraybuffer';
    channel.bufferedAmountLowThreshold = FILE_BUFFER_LOW_BYTES;
  }

  get bufferedAmount(): number {
    return this.#channel.bufferedAmount;
  }

  send(data: string | Uint8Array<ArrayBuffer>): void {
    if (typeof data === 'string') this.#channel.send(data);
    else this.#channel.send(data);
  }

  /** Resolves once the buffer fell below FILE_BUFFER_LOW_BYTES, or the channel closed. */
  drained(): Promise<void> {
    const channel = this.#channel;
    return new Promise<void>((resolve) => {
      const done = () => {
        channel.removeEventListener('bufferedamountlow', done);
        channel.removeEventListener('close', done);
        resolve();
      };
      channel.addEventListener('bufferedamountlow', done);
      channel.addEventListener('close', done);
    });
  }
}
