import { API_GATEWAY_LIMITS, type JoinedMessage, parseServerMessage, type ServerMessage } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { RECONNECT_ATTEMPTS_BEFORE_UNREACHABLE, RECONNECT_MAX_DELAY_MS } from './reconnect-policy';
import {
  PONG_TIMEOUT_MS,
  RESEND_WINDOW_MS,
  SignalingClient,
  type SignalingSocket,
  type SignalingStatus,
} from './signaling-client';
import { joined, KEEPALIVE, ME, PEER, ROOM, TOKEN } from './test-fixtures';

class FakeSocket implements SignalingSocket {
  readyState = 0;
  readonly sent: Record<string, unknown>[] = [];
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  closedByClient = false;

  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.closedByClient = true;
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.(new Event('open'));
  }
  deliver(message: ServerMessage): void {
    this.onmessage?.(new MessageEvent('message', { data: JSON.stringify(message) }));
  }
  drop(): void {
    this.readyState = 3;
    this.onclose?.(new Event('close') as CloseEvent);
  }
  last(): Record<string, unknown> | undefined {
    return this.sent.at(-1);
  }
}

function setup(options: { openAhead?: boolean } = {}) {
  const sockets: FakeSocket[] = [];
  const statuses: SignalingStatus[] = [];
  const messages: ServerMessage[] = [];
  const joins: JoinedMessage[] = [];
  const fatal: string[] = [];
  const client = new SignalingClient({
    url: 'ws://127.0.0.1:1/',
    roomId: ROOM,
    name: 'Ada',
    createSocket: () => {
      const socket = new FakeSocket();
      if (options.openAhead && sockets.length === 0) socket.readyState = 1; // opened in the lobby, before Join
      sockets.push(socket);
      return socket;
    },
    parse: parseServerMessage,
    onJoined: (m) => joins.push(m),
    onMessage: (m) => messages.push(m),
    onStatus: (s) => statuses.push(s),
    onEnded: (_ending, e) => fatal.push(e.code),
    random: () => 0.5,
  });
  const socket = () => sockets.at(-1) as FakeSocket;
  return { client, sockets, socket, statuses, messages, joins, fatal };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('when the socket opens', () => {
  it('should join the room with the protocol version and name', () => {
    const s = setup();
    s.client.start();
    s.socket().open();
    expect(s.socket().last()).toMatchObject({ type: 'join', v: 1, roomId: ROOM, name: 'Ada' });
    expect(s.socket().last()?.resume).toBeUndefined();
  });

  it('should pass on a signal that overtook its own joined only after the join', () => {
    const s = setup();
    s.client.start();
    s.socket().open();
    const offer: ServerMessage = {
      type: 'signal',
      id: 'x.1',
      from: PEER,
      data: { kind: 'description', description: { type: 'offer', sdp: 'v=0' } },
    };
    s.socket().deliver(offer);
    expect(s.messages).toEqual([]);
    s.socket().deliver(joined({ role: 'polite', members: [{ memberId: PEER, role: 'impolite' }] }));
    expect(s.joins).toHaveLength(1);
    expect(s.messages).toEqual([offer]);
  });

  it('should join at once on a socket that was opened ahead (in the lobby)', () => {
    const s = setup({ openAhead: true });
    s.client.start();
    expect(s.sockets).toHaveLength(1);
    expect(s.socket().sent).toEqual([expect.objectContaining({ type: 'join', roomId: ROOM })]);
    s.socket().deliver(joined());
    expect(s.statuses.at(-1)).toBe('joined');
  });

  it('should send requests queued before the join once joined, but no signals meant for an older seat', () => {
    const s = setup();
    s.client.start();
    s.client.signal(PEER, { kind: 'candidate', candidate: null }, 'x.1');
    s.client.refreshTurn();
    s.socket().open();
    expect(s.socket().sent).toHaveLength(1);
    s.socket().deliver(joined({ members: [{ memberId: PEER, role: 'polite' }] }));
    expect(s.socket().sent.map((m) => m.type)).toEqual(['join', 'turn-refresh']);
    expect(s.statuses.at(-1)).toBe('joined');
  });
});

describe('when waiting alone with an offer', () => {
  it('should park it in the room under its signal id', () => {
    const s = setup();
    s.client.start();
    s.socket().open();
    s.socket().deliver(joined());
    const data = { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } } as const;
    s.client.park(data, 'inst.1');
    expect(s.socket().sent.at(-1)).toEqual({ type: 'park', id: 'inst.1', roomId: ROOM, data });
  });
});

describe('when a message would not fit in one API Gateway frame', () => {
  it('should drop it rather than send a frame that closes the socket (1009), and keep sending the rest', () => {
    const s = setup();
    s.client.start();
    s.socket().open();
    s.socket().deliver(joined({ members: [{ memberId: PEER, role: 'polite' }] }));
    const before = s.socket().sent.length;
    const sdp = 'a'.repeat(API_GATEWAY_LIMITS.frameBytes);
    s.client.signal(PEER, { kind: 'description', description: { type: 'offer', sdp } }, 'big');
    expect(s.socket().sent).toHaveLength(before);
    s.client.signal(PEER, { kind: 'candidate', candidate: null }, 'small');
    expect(s.socket().last()).toMatchObject({ type: 'signal', id: 'small' });
    expect(s.socket().closedByClient).toBe(false);
  });
});

describe('when joined', () => {
  it('should ping every keepalive interval and stay if pongs come back', () => {
    const s = setup();
    s.client.start();
    s.socket().open();
    s.socket().deliver(joined());
    for (let i = 0; i < 3; i++) {
      vi.advanceTimersByTime(KEEPALIVE);
      const ping = s.socket().last();
      expect(ping).toMatchObject({ type: 'ping' });
      s.socket().deliver({ type: 'pong', id: ping?.id as string });
    }
    vi.advanceTimersByTime(PONG_TIMEOUT_MS);
    expect(s.sockets).toHaveLength(1);
  });

  it('should treat a missing pong as a dead socket and reconnect with the resume token', () => {
    const s = setup();
    s.client.start();
    s.socket().open();
    s.socket().deliver(joined());
    vi.advanceTimersByTime(KEEPALIVE + PONG_TIMEOUT_MS);
    expect(s.sockets).toHaveLength(2);
    expect(s.sockets[0]?.closedByClient).toBe(true);
    s.socket().open();
    expect(s.socket().last()).toMatchObject({ type: 'join', resume: { memberId: ME, token: TOKEN } });
  });

  it('should move to a fresh socket before the 2-hour connection cap', () => {
    const s = setup();
    s.client.start();
    s.socket().open();
    s.socket().deliver(joined({ keepaliveMs: API_GATEWAY_LIMITS.maxConnectionMs * 2 }));
    vi.advanceTimersByTime(API_GATEWAY_LIMITS.maxConnectionMs - 1);
    expect(s.sockets).toHaveLength(2);
  });
});

describe('when the socket drops', () => {
  it('should reconnect with back-off, resume the seat and flush what was sent meanwhile', () => {
    const s = setup();
    s.client.start();
    s.socket().open();
    s.socket().deliver(joined({ members: [{ memberId: PEER, role: 'polite' }] }));
    s.socket().drop();
    expect(s.statuses.at(-1)).toBe('reconnecting');
    s.client.signal(PEER, { kind: 'candidate', candidate: null }, 'x.7');
    vi.advanceTimersByTime(RECONNECT_MAX_DELAY_MS);
    expect(s.sockets).toHaveLength(2);
    s.socket().open();
    expect(s.socket().last()).toMatchObject({ type: 'join', resume: { memberId: ME, token: TOKEN } });
    s.socket().deliver(joined({ resumed: true }));
    expect(s.socket().last()).toMatchObject({ type: 'signal', id: 'x.7', roomId: ROOM });
    expect(s.joins.map((j) => j.resumed)).toEqual([false, true]);
  });

  it('should say the server is unreachable after repeated failures, and keep trying', () => {
    const s = setup();
    s.client.start();
    for (let i = 0; i < RECONNECT_ATTEMPTS_BEFORE_UNREACHABLE; i++) {
      s.socket().drop();
      vi.advanceTimersByTime(RECONNECT_MAX_DELAY_MS);
    }
    expect(s.statuses).toContain('unreachable');
    expect(s.sockets).toHaveLength(RECONNECT_ATTEMPTS_BEFORE_UNREACHABLE + 1);
  });
});

describe('when the server refuses the join', () => {
  it('should stop for good on room-full and report it', () => {
    const s = setup();
    s.client.start();
    s.socket().open();
    s.socket().deliver({ type: 'error', code: 'room-full', message: 'full', ref: 'r1' });
    expect(s.fatal).toEqual(['room-full']);
    vi.advanceTimersByTime(RECONNECT_MAX_DELAY_MS * 3);
    expect(s.sockets).toHaveLength(1);
    expect(s.statuses.at(-1)).toBe('closed');
  });

  it('should retry after an internal error on join', () => {
    const s = setup();
    s.client.start();
    s.socket().open();
    s.socket().deliver({ type: 'error', code: 'internal', message: 'oops', ref: s.socket().last()?.id as string });
    vi.advanceTimersByTime(RECONNECT_MAX_DELAY_MS);
    expect(s.sockets).toHaveLength(2);
  });
});

describe('when the peer is reconnecting', () => {
  it('should resend refused signals after peer-resumed', () => {
    const s = setup();
    s.client.start();
    s.socket().open();
    s.socket().deliver(joined({ members: [{ memberId: PEER, role: 'polite' }] }));
    s.client.signal(PEER, { kind: 'candidate', candidate: null }, 'x.3');
    s.socket().deliver({ type: 'error', code: 'peer-unavailable', message: 'later', ref: 'x.3' });
    const before = s.socket().sent.length;
    s.socket().deliver({ type: 'peer-resumed', memberId: PEER });
    expect(s.socket().sent.length).toBe(before + 1);
    expect(s.socket().last()).toMatchObject({ type: 'signal', id: 'x.3' });
    expect(s.messages.at(-1)).toEqual({ type: 'peer-resumed', memberId: PEER });
  });
});

describe('when a socket dies with signals written to it (a network change)', () => {
  it('should send the recent signals again after resuming its seat, before anything queued meanwhile', () => {
    const s = setup();
    s.client.start();
    s.socket().open();
    s.socket().deliver(joined({ members: [{ memberId: PEER, role: 'polite' }] }));
    s.client.signal(PEER, { kind: 'description', description: { type: 'offer', sdp: 'v=0 restart' } }, 'x.7');
    s.socket().drop();
    s.client.signal(PEER, { kind: 'candidate', candidate: null }, 'x.8');
    vi.advanceTimersByTime(RECONNECT_MAX_DELAY_MS);
    s.socket().open();
    s.socket().deliver(joined({ resumed: true, members: [{ memberId: PEER, role: 'polite' }] }));
    expect(
      s
        .socket()
        .sent.filter((m) => m.type === 'signal')
        .map((m) => m.id),
    ).toEqual(['x.7', 'x.8']);
  });

  it("should send the recent signals again when the peer resumes (they may have died with the peer's socket)", () => {
    const s = setup();
    s.client.start();
    s.socket().open();
    s.socket().deliver(joined({ members: [{ memberId: PEER, role: 'polite' }] }));
    s.client.signal(PEER, { kind: 'description', description: { type: 'offer', sdp: 'v=0 old' } }, 'x.1');
    // Time passes on a healthy socket (pongs come back).
    for (let waited = 0; waited <= RESEND_WINDOW_MS; waited += KEEPALIVE) {
      vi.advanceTimersByTime(KEEPALIVE);
      s.socket().deliver({ type: 'pong', id: s.socket().last()?.id as string });
    }
    s.client.signal(PEER, { kind: 'description', description: { type: 'offer', sdp: 'v=0 restart' } }, 'x.2');
    const before = s.socket().sent.length;
    s.socket().deliver({ type: 'peer-resumed', memberId: PEER });
    // Only what is recent: an older signal was delivered long ago or is moot.
    expect(
      s
        .socket()
        .sent.slice(before)
        .map((m) => m.id),
    ).toEqual(['x.2']);
  });
});

describe('when hanging up', () => {
  it('should send leave, wait for left and not reconnect', async () => {
    const s = setup();
    s.client.start();
    s.socket().open();
    s.socket().deliver(joined());
    const done = s.client.leave();
    const leave = s.socket().last();
    expect(leave).toMatchObject({ type: 'leave' });
    s.socket().deliver({ type: 'left', id: leave?.id as string });
    await done;
    expect(s.statuses.at(-1)).toBe('closed');
    vi.advanceTimersByTime(RECONNECT_MAX_DELAY_MS * 3);
    expect(s.sockets).toHaveLength(1);
  });
});
