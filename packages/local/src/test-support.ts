import WebSocket from 'ws';

/** How long a test waits for an expected event before failing. */
export const TEST_DEADLINE_MS = 5_000;

/**
 * A list that tests can wait on: every push wakes the waiters, which re-check their condition. Waiting is by event
 * with a deadline, never by sleeping.
 */
export class Recorder<T> {
  readonly items: T[] = [];
  private waiters = new Set<() => void>();

  push(item: T): void {
    this.items.push(item);
    for (const wake of [...this.waiters]) wake();
  }

  /** Resolves with the items once `condition` holds; rejects after the deadline, naming `what`. */
  until(condition: (items: T[]) => boolean, what: string, deadlineMs = TEST_DEADLINE_MS): Promise<T[]> {
    return new Promise((resolve, reject) => {
      const check = () => {
        if (!condition(this.items)) return;
        this.waiters.delete(check);
        clearTimeout(timer);
        resolve(this.items);
      };
      const timer = setTimeout(() => {
        this.waiters.delete(check);
        reject(new Error(`Timed out waiting for ${what}; have ${JSON.stringify(this.items).slice(0, 500)}`));
      }, deadlineMs);
      this.waiters.add(check);
      check();
    });
  }

  /** Resolves with the first item matching `match`. */
  async first(match: (item: T) => boolean, what: string, deadlineMs?: number): Promise<T> {
    const items = await this.until((all) => all.some(match), what, deadlineMs);
    return items.find(match) as T;
  }
}

/** A raw `ws` client that records the text frames it receives and how it closed. */
export class RecordingClient {
  readonly messages = new Recorder<string>();
  readonly closed: Promise<{ code: number; reason: string }>;

  private constructor(readonly socket: WebSocket) {
    socket.on('message', (data) => this.messages.push(data.toString()));
    this.closed = new Promise((resolve) => {
      socket.on('close', (code, reason) => resolve({ code, reason: reason.toString() }));
    });
    socket.on('error', () => undefined);
  }

  /** Connects; rejects with `HTTP <status> <body>` when the handshake is refused. */
  static connect(url: string, options: WebSocket.ClientOptions = {}): Promise<RecordingClient> {
    return new Promise((resolve, reject) => {
      const socket = new WebSocket(url, options);
      const client = new RecordingClient(socket);
      socket.once('open', () => resolve(client));
      socket.once('unexpected-response', (_request, response) => {
        let body = '';
        response.on('data', (chunk: Buffer) => {
          body += chunk.toString();
        });
        response.on('end', () => reject(new Error(`HTTP ${response.statusCode} ${body}`)));
      });
      socket.once('error', reject);
    });
  }

  /** Closes with a normal closure and waits until the socket is closed. */
  async close(code = 1000, reason = 'bye'): Promise<void> {
    if (this.socket.readyState === WebSocket.OPEN) this.socket.close(code, reason);
    await this.closed;
  }
}
