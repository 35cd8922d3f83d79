import {
  API_GATEWAY_LIMITS,
  API_GATEWAY_MAX_CONNECTION_MS,
  type ClientMessage,
  type ErrorMessage,
  type JoinedMessage,
  type ParkRequest,
  PROTOCOL_VERSION,
  type ServerMessage,
  type SignalPayload,
} from '@parley/protocol';
import type { LobbySocket } from './lobby-socket';
import { type CallEnding, callEndingFor } from './problems';
import { isUnreachable, reconnectDelayMs } from './reconnect-policy';

/*
 * The signaling connection: joins the room, keeps the socket alive, and when it drops reconnects with back-off
 * and resumes the same seat with the resume token, so the other side sees only `peer-resumed` and the media (which
 * never goes through here) keeps flowing. API Gateway closes every socket after 2 hours; we move to a fresh one
 * shortly before. Messages sent while reconnecting wait in a bounded outbox. The lobby opens its socket ahead
 * (lobby-socket.ts), and the client's first connection takes it over.
 *
 * Over 350 lines: joining, resuming, keepalive, the outbox and resending are one state machine around one socket, and
 * read best together.
 */

/** A `pong` that does not come within this long means the socket is dead even if it still looks open. */
export const PONG_TIMEOUT_MS = 10_000;
/** Reconnect proactively this long before API Gateway's 2-hour connection cap. */
export const PROACTIVE_RECONNECT_MARGIN_MS = 5 * 60_000;
/** Messages kept while the socket is down; older signals lose their value anyway. */
export const MAX_OUTBOX_MESSAGES = 300;
/** Signals remembered in case the server says the peer is reconnecting and they must be resent. */
export const MAX_RESENDABLE_SIGNALS = 200;
/**
 * Signals sent this recently are sent again when either side's socket is replaced (our resume, or `peer-resumed`).
 * A socket can die without a sign — e.g. when the network changes, its packets go nowhere — until a pong is missed
 * (keepalive 45 s + PONG_TIMEOUT_MS), and what was written to it, or posted to the peer's, is lost. An ICE restart
 * offer lost that way deadlocks negotiation (the impolite side waits for its answer and ignores the other's
 * offers). The receiver drops what it already has (signal ids carry a sequence), so a resend costs only bytes.
 */
export const RESEND_WINDOW_MS = 60_000;

/** The parts of a browser WebSocket this uses. */
export interface SignalingSocket {
  readonly readyState: number;
  send(data: string): void;
  close(code?: number, reason?: string): void;
  onopen: ((event: Event) => void) | null;
  onmessage: ((event: MessageEvent) => void) | null;
  onclose: ((event: CloseEvent) => void) | null;
  onerror: ((event: Event) => void) | null;
}

/** `connecting` (first time), `joined`, `reconnecting`, `unreachable` (still retrying), `closed` (for good). */
export type SignalingStatus = 'connecting' | 'joined' | 'reconnecting' | 'unreachable' | 'closed';

export interface SignalingClientOptions {
  url: string;
  roomId: string;
  name?: string;
  /** The seat to resume (from before a page reload), if any. */
  initialResume?: { memberId: string; token: string } | undefined;
  createSocket(url: string): SignalingSocket;
  /** A socket opened ahead in the lobby, taken over by the first connection while it is still usable. */
  lobbySocket?: Pick<LobbySocket, 'take'> | undefined;
  parse(raw: string): ServerMessage | undefined;
  /** Every successful join or resume. */
  onJoined(message: JoinedMessage): void;
  /** Messages other than `joined`, `pong` and `left`. */
  onMessage(message: Exclude<ServerMessage, { type: 'joined' | 'pong' | 'left' }>): void;
  onStatus(status: SignalingStatus): void;
  /** A request was refused in a way that ends the session (room full, wrong version, broken link); it has stopped. */
  onEnded(ending: CallEnding, error: ErrorMessage): void;
  /**
   * Before the first join, REFUSED_ATTEMPTS connections in a row were refused before opening (see there); the client
   * has stopped. (Once in a call it keeps retrying instead: the media does not need the server.)
   */
  onRefused?(): void;
  /** Whether the browser believes it is online (default: navigator.onLine where it exists). */
  isOnline?(): boolean;
  /** Notes for the debug panel. */
  log?(line: string): void;
  random?: () => number;
}

const OPEN = 1;

/**
 * A browser cannot see why a WebSocket handshake failed. When this many attempts in a row close before opening while
 * the browser says it is online, the server is most likely refusing this link (a private deployment's authorizer: a
 * replaced owner key or invitation), and the person is told instead of waiting for ever.
 */
export const REFUSED_ATTEMPTS = 3;

/** One member's signaling session in one room. */
export class SignalingClient {
  #socket: SignalingSocket | undefined;
  #resume: { memberId: string; token: string } | undefined;
  #joined = false;
  #stopped = false;
  #failedAttempts = 0;
  /** Connection attempts in a row that closed before they opened. */
  #refusedInARow = 0;
  #everJoined = false;
  #requestSequence = 0;
  #outbox: ClientMessage[] = [];
  readonly #resendable = new Map<string, ClientMessage>();
  /** When each resendable signal was last written to a socket (signals still in the outbox have none). */
  readonly #sentAt = new Map<string, number>();
  #heldForPeer: ClientMessage[] = [];
  /** Signals that came before our own `joined` (delivery can reorder): passed on once we know our role. */
  #early: ServerMessage[] = [];
  #keepaliveTimer: ReturnType<typeof setInterval> | undefined;
  #pongTimer: ReturnType<typeof setTimeout> | undefined;
  #reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  #proactiveTimer: ReturnType<typeof setTimeout> | undefined;
  #leaving: (() => void) | undefined;
  #joinRequestId: string | undefined;

  readonly #options: SignalingClientOptions;

  constructor(options: SignalingClientOptions) {
    this.#options = options;
    this.#resume = options.initialResume;
  }

  /** Opens the socket and joins the room. */
  start(): void {
    this.#options.onStatus('connecting');
    this.#connect();
  }

  /** Sends a signal to the peer under the given (unique) id; queued while reconnecting. */
  signal(to: string, data: SignalPayload, id: string): void {
    // Naming the room saves the server a lookup per signal (it checks our seat in that room).
    const message: ClientMessage = { type: 'signal', id, roomId: this.#options.roomId, to, data };
    this.#resendable.set(id, message);
    if (this.#resendable.size > MAX_RESENDABLE_SIGNALS) {
      const oldest = this.#resendable.keys().next().value;
      if (oldest !== undefined) {
        this.#resendable.delete(oldest);
        this.#sentAt.delete(oldest);
      }
    }
    this.#send(message);
  }

  /** Leaves our prepared offer with our seat while we wait alone, for someone in the lobby to answer (`peek`). */
  park(data: ParkRequest['data'], id: string): void {
    this.#send({ type: 'park', id, roomId: this.#options.roomId, data });
  }

  /** Asks for fresh TURN credentials; the answer arrives as a `turn-credentials` message. */
  refreshTurn(): void {
    this.#send({ type: 'turn-refresh', id: this.#nextId() });
  }

  /** Forgets signals held for a peer that is gone for good. */
  dropHeldSignals(): void {
    this.#heldForPeer = [];
  }

  /** Gives up the seat and closes; resolves when the server confirmed or after a short wait. */
  leave(timeoutMs = 1_500): Promise<void> {
    if (this.#stopped) return Promise.resolve();
    const done = new Promise<void>((resolve) => {
      this.#leaving = resolve;
      setTimeout(resolve, timeoutMs);
    });
    if (this.#joined && this.#socket?.readyState === OPEN) this.#send({ type: 'leave', id: this.#nextId() });
    else this.#leaving?.();
    return done.then(() => this.stop());
  }

  /** Closes for good, without leaving (the seat is held for a while, as after a network loss). */
  stop(): void {
    this.#stopped = true;
    this.#clearTimers();
    clearTimeout(this.#reconnectTimer);
    this.#drop(1000, 'bye');
    this.#options.onStatus('closed');
  }

  #nextId(): string {
    this.#requestSequence += 1;
    return `r${this.#requestSequence}`;
  }

  #send(message: ClientMessage): void {
    const socket = this.#socket;
    if (this.#joined && socket?.readyState === OPEN) {
      this.#transmit(socket, message);
      return;
    }
    this.#outbox.push(message);
    if (this.#outbox.length > MAX_OUTBOX_MESSAGES) this.#outbox.shift();
  }

  /**
   * Sends one message as one frame, unless it is larger than API Gateway's frame limit: such a frame makes the
   * gateway close the socket (1009), which would cost the seat's connection for one bad message. It is dropped
   * (and logged) instead; nothing the client makes comes near the limit (an SDP is a few KB).
   */
  #transmit(socket: SignalingSocket, message: ClientMessage): void {
    const text = JSON.stringify(message);
    if (message.type === 'signal' && message.id) this.#sentAt.set(message.id, Date.now());
    const bytes = new TextEncoder().encode(text).length;
    if (bytes > API_GATEWAY_LIMITS.frameBytes) {
      this.#options.log?.(
        `not sent: a ${message.type} of ${bytes} bytes exceeds the ${API_GATEWAY_LIMITS.frameBytes}-byte frame limit`,
      );
      return;
    }
    socket.send(text);
  }

  #connect(): void {
    if (this.#stopped) return;
    let socket: SignalingSocket;
    try {
      socket = this.#options.lobbySocket?.take() ?? this.#options.createSocket(this.#options.url);
    } catch (error) {
      this.#options.log?.(`socket could not be created: ${error}`);
      this.#scheduleReconnect();
      return;
    }
    this.#socket = socket;
    // A socket opened ahead (in the lobby) may be open already.
    // JSON leaves out the fields that are undefined: no name when none was given, no resume on a first join.
    const join = () => {
      this.#joinRequestId = this.#nextId();
      const message: ClientMessage = {
        type: 'join',
        id: this.#joinRequestId,
        v: PROTOCOL_VERSION,
        roomId: this.#options.roomId,
        name: this.#options.name || undefined,
        resume: this.#resume,
      };
      this.#options.log?.(this.#resume ? 'socket open: resuming seat' : 'socket open: joining');
      this.#transmit(socket, message);
    };
    let opened = socket.readyState === OPEN;
    if (opened) join();
    else
      socket.onopen = () => {
        opened = true;
        this.#refusedInARow = 0;
        join();
      };
    socket.onmessage = (event) => {
      if (typeof event.data !== 'string') return;
      const message = this.#options.parse(event.data);
      if (!message) {
        this.#options.log?.('ignored a malformed server message');
        return;
      }
      this.#handle(message);
    };
    socket.onerror = () => undefined; // a close event always follows
    socket.onclose = () => {
      if (this.#socket !== socket) return;
      this.#socket = undefined;
      this.#joined = false;
      this.#clearTimers();
      this.#options.log?.(opened ? 'socket closed' : 'socket closed before it opened');
      if (this.#leaving) {
        this.#leaving();
        return;
      }
      const online = this.#options.isOnline?.() ?? (typeof navigator === 'undefined' || navigator.onLine !== false);
      this.#refusedInARow = opened || !online ? 0 : this.#refusedInARow + 1;
      if (this.#refusedInARow >= REFUSED_ATTEMPTS && !this.#everJoined && this.#options.onRefused) {
        this.stop();
        this.#options.onRefused();
        return;
      }
      this.#scheduleReconnect();
    };
  }

  #handle(message: ServerMessage): void {
    switch (message.type) {
      case 'joined':
        this.#onJoined(message);
        return;
      case 'pong':
        clearTimeout(this.#pongTimer);
        return;
      case 'left':
        this.#leaving?.();
        return;
      case 'error':
        this.#onError(message);
        return;
      case 'peer-resumed': {
        // What we posted to the peer's old socket may have died with it.
        const resent = this.#resendRecent('the peer resumed');
        for (const held of this.#heldForPeer.splice(0)) if (!held.id || !resent.has(held.id)) this.#send(held);
        break;
      }
      case 'peer-left':
      case 'peer-joined':
        this.#heldForPeer = [];
        break;
      case 'signal':
        if (!this.#joined) {
          this.#early.push(message);
          return;
        }
    }
    this.#options.onMessage(message);
  }

  #onJoined(message: JoinedMessage): void {
    this.#options.log?.(message.resumed ? 'seat resumed' : 'joined');
    this.#resume = { memberId: message.memberId, token: message.resumeToken };
    this.#joined = true;
    this.#everJoined = true;
    this.#failedAttempts = 0;
    // A fresh seat (not a resume) invalidates anything addressed through the old one.
    const pending = this.#outbox.splice(0).filter((m) => message.resumed || m.type !== 'signal');
    this.#options.onJoined(message);
    for (const early of this.#early.splice(0)) this.#handle(early);
    // What we wrote to the old socket may have died with it; resent first, so the peer gets it in order.
    if (message.resumed) this.#resendRecent('our seat resumed');
    for (const queued of pending) this.#send(queued);
    this.#keepaliveTimer = setInterval(() => this.#ping(), message.keepaliveMs);
    const jitter = (this.#options.random ?? Math.random)() * 60_000;
    this.#proactiveTimer = setTimeout(
      () => this.#reconnectNow('moving to a fresh socket before the 2-hour cap'),
      API_GATEWAY_MAX_CONNECTION_MS - PROACTIVE_RECONNECT_MARGIN_MS - jitter,
    );
    this.#options.onStatus('joined');
  }

  /** Sends again the signals written to a socket within {@link RESEND_WINDOW_MS}, in order; answers their ids. */
  #resendRecent(why: string): Set<string> {
    const since = Date.now() - RESEND_WINDOW_MS;
    const recent = [...this.#resendable].filter(([id]) => (this.#sentAt.get(id) ?? 0) >= since);
    if (recent.length > 0) this.#options.log?.(`${why}: resending ${recent.length} recent signal(s)`);
    for (const [, message] of recent) this.#send(message);
    return new Set(recent.map(([id]) => id));
  }

  #onError(message: ErrorMessage): void {
    this.#options.log?.(`server error ${message.code}: ${message.message}`);
    const ending = callEndingFor(message.code);
    if (ending) {
      this.stop();
      this.#options.onEnded(ending, message);
      return;
    }
    if (message.code === 'internal' && message.ref === this.#joinRequestId && !this.#joined) {
      // The join changed nothing on the server; try again like after a dropped socket.
      this.#drop(4000, 'retry join');
      this.#scheduleReconnect();
      return;
    }
    if (message.code === 'peer-unavailable' && message.ref) {
      const held = this.#resendable.get(message.ref);
      if (held) this.#heldForPeer.push(held);
    }
  }

  #ping(): void {
    const socket = this.#socket;
    if (socket?.readyState !== OPEN) return;
    socket.send(JSON.stringify({ type: 'ping', id: this.#nextId() }));
    clearTimeout(this.#pongTimer);
    this.#pongTimer = setTimeout(() => this.#reconnectNow('no pong: the socket is dead'), PONG_TIMEOUT_MS);
  }

  /** Drops the current socket and reconnects at once (resuming the seat). */
  #reconnectNow(why: string): void {
    this.#options.log?.(why);
    this.#joined = false;
    this.#clearTimers();
    this.#drop(4000, 'reconnect');
    this.#options.onStatus('reconnecting');
    this.#connect();
  }

  #scheduleReconnect(): void {
    if (this.#stopped) return;
    const delay = reconnectDelayMs(this.#failedAttempts, this.#options.random);
    this.#failedAttempts += 1;
    this.#options.onStatus(isUnreachable(this.#failedAttempts) ? 'unreachable' : 'reconnecting');
    this.#options.log?.(`reconnecting in ${delay} ms`);
    this.#reconnectTimer = setTimeout(() => this.#connect(), delay);
  }

  /** Closes the current socket without hearing its close event. */
  #drop(code: number, reason: string): void {
    const socket = this.#socket;
    this.#socket = undefined;
    if (socket) {
      socket.onclose = null;
      socket.close(code, reason);
    }
  }

  #clearTimers(): void {
    clearInterval(this.#keepaliveTimer);
    clearTimeout(this.#pongTimer);
    clearTimeout(this.#proactiveTimer);
  }
}
