import type { RoomMessage, ServerMessage } from '@parley/protocol';
import type { SignalingSocket } from './signaling-client';

/*
 * The lobby's signaling socket, opened before Join so that joining skips the handshake: the signaling client's first
 * connection takes it over (SignalingClientOptions.lobbySocket). Until then it looks into the room (`peek`).
 */

const OPEN = 1;
const CLOSING = 2;
/**
 * The signaling socket the lobby opens ahead of Join, so that joining skips the handshake. Meanwhile it looks into the
 * room (`peek`): `seen` hears who is there, and the offer of someone waiting, to answer ahead of Join. `refused` hears
 * when the socket closed before it opened: the server refused the link, or cannot be reached.
 */
export class LobbySocket {
  #socket: SignalingSocket | undefined;

  constructor(options: {
    url: string;
    roomId: string;
    createSocket(url: string): SignalingSocket;
    parse(raw: string): ServerMessage | undefined;
    seen(room: RoomMessage): void;
    refused(): void;
  }) {
    const socket = options.createSocket(options.url);
    this.#socket = socket;
    let opened = socket.readyState === OPEN;
    socket.onopen = () => {
      opened = true;
      socket.send(JSON.stringify({ type: 'peek', roomId: options.roomId }));
    };
    socket.onclose = () => {
      if (!opened && this.#socket === socket) options.refused();
    };
    socket.onmessage = (event) => {
      const message = typeof event.data === 'string' ? options.parse(event.data) : undefined;
      if (message?.type === 'room') options.seen(message);
    };
  }

  /** The socket for the call's first connection, once, while it is still connecting or open. */
  take(): SignalingSocket | undefined {
    const socket = this.#socket;
    this.#socket = undefined;
    return socket && socket.readyState < CLOSING ? socket : undefined;
  }

  /** The lobby was left without joining: the socket is not needed. */
  close(): void {
    const socket = this.take();
    if (!socket) return;
    socket.onclose = null;
    socket.close();
  }
}
