/** Opcodes at or above this are control frames (close, ping, pong), which carry at most 125 bytes. */
const FIRST_CONTROL_OPCODE = 0x8;

/**
 * Reads WebSocket frame headers off the raw client byte stream and reports the first data frame whose payload is
 * larger than `limit`. The `ws` library only limits whole messages; API Gateway also limits single frames.
 */
export class FrameSizeWatcher {
  private header: number[] = [];
  private payloadToSkip = 0;
  private tripped = false;

  constructor(
    private readonly limit: number,
    private readonly onOversizedFrame: (payloadBytes: number) => void,
  ) {}

  /** Feeds the next chunk of bytes received from the client. */
  push(chunk: Buffer): void {
    let offset = 0;
    while (offset < chunk.length && !this.tripped) {
      if (this.payloadToSkip > 0) {
        const skipped = Math.min(this.payloadToSkip, chunk.length - offset);
        this.payloadToSkip -= skipped;
        offset += skipped;
        continue;
      }
      this.header.push(chunk[offset] as number);
      offset += 1;
      this.readHeaderIfComplete();
    }
  }

  private readHeaderIfComplete(): void {
    const [first, second] = this.header;
    if (first === undefined || second === undefined) return;
    const shortLength = second & 0x7f;
    const lengthBytes = shortLength === 126 ? 2 : shortLength === 127 ? 8 : 0;
    const maskBytes = second & 0x80 ? 4 : 0;
    if (this.header.length < 2 + lengthBytes + maskBytes) return;
    const bytes = Buffer.from(this.header);
    const payloadBytes =
      lengthBytes === 2 ? bytes.readUInt16BE(2) : lengthBytes === 8 ? Number(bytes.readBigUInt64BE(2)) : shortLength;
    this.header = [];
    this.payloadToSkip = payloadBytes;
    if ((first & 0x0f) < FIRST_CONTROL_OPCODE && payloadBytes > this.limit) {
      this.tripped = true;
      this.onOversizedFrame(payloadBytes);
    }
  }
}
