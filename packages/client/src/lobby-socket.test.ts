import { parseServerMessage, type RoomMessage } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { LobbySocket } from './lobby-socket';
import type { SignalingSocket } from './signaling-client';

const ROOM = 'q5o1Xk2bW3Qf6mYdP0aTgA';

class FakeSocket implements SignalingSocket {
  readyState = 0;
  readonly sent: string[] = [];
  closed = false;
  onopen: ((event: Event) => void) | null = null;
  onmessage: ((event: MessageEvent) => void) | null = null;
  onclose: ((event: CloseEvent) => void) | null = null;
  onerror: ((event: Event) => void) | null = null;
  send(data: string): void {
    this.sent.push(data);
  }
  close(): void {
    this.closed = true;
    this.readyState = 3;
  }
}

function lobby() {
  const socket = new FakeSocket();
  const seen: RoomMessage[] = [];
  let refused = 0;
  const lobbySocket = new LobbySocket({
    url: 'wss://example.test/',
    roomId: ROOM,
    createSocket: () => socket,
    parse: parseServerMessage,
    seen: (room) => seen.push(room),
    refused: () => {
      refused += 1;
    },
  });
  return { socket, seen, lobbySocket, refused: () => refused };
}

describe('LobbySocket', () => {
  it('should peek into the room once open, and report who is there', () => {
    const { socket, seen } = lobby();
    socket.readyState = 1;
    socket.onopen?.(new Event('open'));
    expect(JSON.parse(socket.sent[0] as string)).toEqual({ type: 'peek', roomId: ROOM });
    socket.onmessage?.(
      new MessageEvent('message', { data: JSON.stringify({ type: 'room', roomId: ROOM, members: [] }) }),
    );
    expect(seen).toEqual([{ type: 'room', roomId: ROOM, members: [] }]);
  });

  it('should hand its socket over once, and only while it is usable', () => {
    const open = lobby();
    open.socket.readyState = 1;
    expect(open.lobbySocket.take()).toBe(open.socket);
    expect(open.lobbySocket.take()).toBeUndefined();

    const closed = lobby();
    closed.socket.readyState = 3;
    expect(closed.lobbySocket.take()).toBeUndefined();
  });

  it('should report a socket that closed before it opened (a refused link), but not one closed on purpose', () => {
    const refusedOne = lobby();
    refusedOne.socket.onclose?.(new Event('close') as CloseEvent);
    expect(refusedOne.refused()).toBe(1);

    const left = lobby();
    left.lobbySocket.close();
    expect(left.socket.closed).toBe(true);
    left.socket.onclose?.(new Event('close') as CloseEvent);
    expect(left.refused()).toBe(0);
  });
});
