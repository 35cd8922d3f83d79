import type { ErrorCode, ServerMessage } from '@parley/protocol';
import type { Admission } from './authorizer';
import type { PeerGateway } from './peer-gateway';
import type { RoomStore, Seat } from './room-store';
import type { TurnGrant } from './turn-credentials';

/** What a request did, for the structured log (never contents). */
export type Outcome = 'ok' | ErrorCode | 'gone';

/** Who sent a request: the socket, and on a private deployment what its ticket admits. */
export interface Caller {
  connectionId: string;
  admission?: Admission;
}

/**
 * The TURN username label of a caller: its ticket id on a private deployment (so coturn's per-user quota is per
 * invitation, however many times it asks), else `fallback` (its member id, or a random label).
 */
export const turnLabelOf = (caller: Caller, fallback: string): string => caller.admission?.ticketId ?? fallback;

export interface RoomServiceDeps {
  store: RoomStore;
  peers: PeerGateway;
  /** TURN credentials whose username ends in `label` (coturn counts its per-user quota by username). */
  issueTurn: (label: string) => Promise<TurnGrant>;
  now: () => number;
}

/** What every part of the service shares: the store, the sockets, the clock and replies. */
export class ServiceContext {
  constructor(readonly deps: RoomServiceDeps) {}

  get store(): RoomStore {
    return this.deps.store;
  }

  nowSeconds(): number {
    return Math.floor(this.deps.now() / 1000);
  }

  /** Sends to a socket; a socket that vanished meanwhile is not an error worth failing the request for. */
  send(connectionId: string, message: ServerMessage): Promise<'sent' | 'gone'> {
    return this.deps.peers.send(connectionId, message);
  }

  /** Replies with an error to the sender only. */
  async reject(connectionId: string, code: ErrorCode, message: string, ref?: string): Promise<Outcome> {
    await this.send(
      connectionId,
      ref === undefined ? { type: 'error', code, message } : { type: 'error', code, message, ref },
    );
    return code;
  }

  /**
   * The socket of `seat` turned out to be gone (no `$disconnect` yet): unbind it and hold the seat for the resume
   * grace, exactly as `$disconnect` would, so a network blip does not cost its owner the seat.
   */
  async holdForResume(seat: Seat, graceSeconds: number): Promise<void> {
    if (!seat.connectionId) return;
    await this.store.holdSeat(seat.roomId, seat.seat, seat.connectionId, this.nowSeconds() + graceSeconds);
    await this.store.deleteConnection(seat.connectionId);
  }
}
