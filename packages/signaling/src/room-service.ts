import type { AccessMode, ClientMessage, ErrorCode } from '@parley/protocol';
import type { Admission } from './authorizer';
import { Membership } from './membership';
import { Relay } from './relay';
import { type Caller, type Outcome, type RoomServiceDeps, ServiceContext } from './service-context';

export type { Caller, Outcome, RoomServiceDeps } from './service-context';

/** The room a request acts on, when it names one (the others act on the socket's own seat). */
function roomOf(message: ClientMessage): string | undefined {
  return 'roomId' in message ? message.roomId : undefined;
}

/**
 * The signaling operations, dispatched: membership (join, keepalive, leave, TURN refresh, socket loss) and relay
 * (signals, the lobby's parked offer). On a private deployment every request comes from a socket the `$connect`
 * authorizer admitted, and acts only on the room of its ticket.
 */
export class RoomService {
  readonly #ctx: ServiceContext;
  readonly #membership: Membership;
  readonly #relay: Relay;

  constructor(
    deps: RoomServiceDeps,
    private readonly access: AccessMode = 'open',
  ) {
    this.#ctx = new ServiceContext(deps);
    this.#membership = new Membership(this.#ctx);
    this.#relay = new Relay(this.#ctx);
  }

  /** Replies with an error to the sender only. */
  reject(connectionId: string, code: ErrorCode, message: string, ref?: string): Promise<Outcome> {
    return this.#ctx.reject(connectionId, code, message, ref);
  }

  /** Dispatches one validated client message from a socket (and what its ticket admits, when private). */
  async handle(connectionId: string, message: ClientMessage, admission?: Admission): Promise<Outcome> {
    const caller: Caller = admission ? { connectionId, admission } : { connectionId };
    if (this.access === 'private') {
      // The authorizer admitted this socket; this is the second look: only the ticket's room, ever.
      if (!admission) {
        return this.reject(
          connectionId,
          'wrong-room',
          'This connection was not opened with an invitation.',
          message.id,
        );
      }
      const room = roomOf(message);
      if (room !== undefined && room !== admission.room) {
        return this.reject(connectionId, 'wrong-room', 'Your invitation is for another room.', message.id);
      }
    }
    switch (message.type) {
      case 'join':
        return this.#membership.join(caller, message);
      case 'signal':
        return this.#relay.signal(connectionId, message);
      case 'ping':
        return this.#membership.ping(connectionId, message.id);
      case 'leave':
        return this.#membership.leave(connectionId, message.id);
      case 'turn-refresh':
        return this.#membership.refreshTurn(caller, message.id);
      case 'park':
        return this.#relay.park(connectionId, message);
      case 'peek':
        return this.#relay.peek(caller, message);
    }
  }

  /** The socket closed: its seat is held for a resume. */
  disconnect(connectionId: string): Promise<Outcome> {
    return this.#membership.disconnect(connectionId);
  }
}
