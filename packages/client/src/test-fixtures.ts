import type { JoinedMessage } from '@parley/protocol';

/*
 * What the server says in the client's unit tests (call-session.test.ts, signaling-client.test.ts): one room, one
 * member and one `joined` reply, so the tests agree on them. Imported by tests only; not part of the app.
 */

export const ROOM = 'q5o1Xk2bW3Qf6mYdP0aTgA';
export const ME = 'd2hPzS0t0V3tYb9k';
export const PEER = 'Zm9vYmFyYmF6cXV4';
export const TOKEN = 'F3l0q2R4o2hbyH5w1m0ZsA';
/** The keepalive interval the server asks for (API Gateway's idle timeout is 10 minutes; ours pings well before). */
export const KEEPALIVE = 45_000;

/** The server's reply to `join`: this member, first in the room, impolite; `overrides` change any field. */
export function joined(overrides: Partial<JoinedMessage> = {}): JoinedMessage {
  return {
    type: 'joined',
    v: 1,
    roomId: ROOM,
    memberId: ME,
    role: 'impolite',
    members: [],
    resumeToken: TOKEN,
    resumed: false,
    iceServers: [],
    iceExpiresAt: Date.now() + 3_600_000,
    keepaliveMs: KEEPALIVE,
    ...overrides,
  };
}
