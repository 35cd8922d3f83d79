import { type ClientMessage, PROTOCOL_VERSION, parseServerMessage, type ServerMessage } from '@parley/protocol';
import WebSocket from 'ws';

/** Frame size used when a message must be fragmented. */
const FRAGMENT_BYTES = 16 * 1024;

/** How long a test waits for an expected message before failing. */
const WAIT_MS = 5_000;

export type Of<T extends ServerMessage['type']> = Extract<ServerMessage, { type: T }>;

/**
 * A signaling client for tests: a real `ws` socket that records every server message, validates it against the
 * protocol, and lets a test wait for a message by condition (with a deadline, never a sleep).
 */
export class TestClient {
  readonly received: ServerMessage[] = [];
  /** Frames that did not validate as server messages (there should be none). */
  readonly invalid: string[] = [];
  private waiters: Array<() => void> = [];
  private nextId = 0;
  closed: { code: number; reason: string } | undefined;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => {
      const text = data.toString();
      const message = parseServerMessage(text);
      if (message) this.received.push(message);
      else this.invalid.push(text);
      this.wake();
    });
    socket.on('close', (code, reason) => {
      this.closed = { code, reason: reason.toString() };
      this.wake();
    });
  }

  /** Opens a socket; rejects with the HTTP status when the handshake is refused. */
  static connect(url: string): Promise<TestClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url);
      socket.once('open', () => resolve(new TestClient(socket)));
      socket.once('unexpected-response', (_request, response) => {
        reject(Object.assign(new Error(`handshake refused: ${response.statusCode}`), { status: response.statusCode }));
      });
      socket.once('error', reject);
    });
  }

  private wake(): void {
    for (const waiter of this.waiters) waiter();
  }

  /**
   * Sends a raw message (for hostile-input tests), split into frames of at most FRAGMENT_BYTES as API Gateway
   * requires (it closes the socket on a frame over 32 KB, before any handler could answer).
   */
  sendRaw(data: string): void {
    const bytes = Buffer.from(data, 'utf8');
    if (bytes.length <= FRAGMENT_BYTES) {
      this.socket.send(data);
      return;
    }
    for (let offset = 0; offset < bytes.length; offset += FRAGMENT_BYTES) {
      const fin = offset + FRAGMENT_BYTES >= bytes.length;
      this.socket.send(bytes.subarray(offset, offset + FRAGMENT_BYTES), { binary: false, fin });
    }
  }

  /** Sends a protocol message, giving it a fresh request id unless it has one. Returns the id. */
  send(message: ClientMessage | (Omit<ClientMessage, 'id'> & { id?: string })): string {
    const id = message.id ?? `r${++this.nextId}`;
    this.socket.send(JSON.stringify({ ...message, id }));
    return id;
  }

  /** Resolves with the first received message (from index `from` on) that matches, or fails after a deadline. */
  waitFor<T extends ServerMessage>(
    match: (message: ServerMessage) => message is T,
    what: string,
    from = 0,
    timeoutMs = WAIT_MS,
  ): Promise<T> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const found = this.received.slice(from).find(match);
        if (found) {
          done();
          resolve(found);
        } else if (this.closed) {
          done();
          reject(new Error(`socket closed (${this.closed.code}) while waiting for ${what}`));
        }
      };
      const timer = setTimeout(() => {
        done();
        reject(
          new Error(`timed out waiting for ${what}; received: ${JSON.stringify(this.received.map((m) => m.type))}`),
        );
      }, timeoutMs);
      const done = () => {
        clearTimeout(timer);
        this.waiters = this.waiters.filter((waiter) => waiter !== check);
      };
      this.waiters.push(check);
      check();
    });
  }

  /** Waits for a message of one type (optionally answering request `ref`/`id`). */
  next<T extends ServerMessage['type']>(type: T, requestId?: string, from = 0): Promise<Of<T>> {
    return this.waitFor(
      (message): message is Of<T> =>
        message.type === type &&
        (requestId === undefined ||
          ('id' in message && message.id === requestId) ||
          ('ref' in message && message.ref === requestId)),
      requestId ? `${type} for ${requestId}` : type,
      from,
    );
  }

  /** Waits for the answer to request `id`, whatever its type (a reply or an error). */
  answerTo(id: string): Promise<ServerMessage> {
    return this.waitFor(
      (message): message is ServerMessage =>
        ('id' in message && message.id === id && message.type !== 'signal') || ('ref' in message && message.ref === id),
      `answer to ${id}`,
    );
  }

  /** Joins a room and waits for `joined` (or throws with the error it got). */
  async join(
    roomId: string,
    extra: { name?: string; resume?: { memberId: string; token: string } } = {},
  ): Promise<Of<'joined'>> {
    const id = this.send({ type: 'join', v: PROTOCOL_VERSION, roomId, ...extra });
    const answer = await this.answerTo(id);
    if (answer.type !== 'joined') throw new Error(`join answered ${JSON.stringify(answer)}`);
    return answer;
  }

  /** Round trip through the server: once the pong arrives, everything the server sent before it has arrived too. */
  async sync(): Promise<void> {
    const id = this.send({ type: 'ping' });
    await this.answerTo(id);
  }

  close(): Promise<void> {
    if (this.closed) return Promise.resolve();
    return new Promise((resolve) => {
      this.socket.once('close', () => resolve());
      this.socket.close();
    });
  }
}
