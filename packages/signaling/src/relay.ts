import {
  MAX_PARKED_OFFER_BYTES,
  type ParkRequest,
  type PeekRequest,
  RESUME_GRACE_SECONDS,
  randomToken,
  type ServerMessage,
  type SignalRequest,
  scrubOfferAddresses,
} from '@parley/protocol';
import { isLive, memberOf, seatOf } from './seats';
import { type Caller, type Outcome, type ServiceContext, turnLabelOf } from './service-context';

/** An anonymous TURN label for an open deployment's lobby (there is no ticket id to tie credentials to). */
const LOBBY_TURN_LABEL_BYTES = 12;

const utf8Bytes = (text: string) => new TextEncoder().encode(text).length;

/** What members send each other through the server: signals, and the offer left for the lobby (`park`, `peek`). */
export class Relay {
  constructor(private readonly ctx: ServiceContext) {}

  async signal(connectionId: string, request: SignalRequest): Promise<Outcome> {
    const { store } = this.ctx;
    const now = this.ctx.nowSeconds();
    // The room a client names is only a hint of where to look: the seat found there must be this socket's.
    const roomId = request.roomId ?? (await store.getConnection(connectionId, now))?.roomId;
    if (!roomId) return this.ctx.reject(connectionId, 'not-joined', 'Join a room before signaling.', request.id);
    const seats = await store.listSeats(roomId);
    const me = seatOf(seats, connectionId, now);
    if (!me) {
      const why = request.roomId
        ? 'You have no seat in that room; join it first.'
        : 'Your seat has expired; join again.';
      return this.ctx.reject(connectionId, 'not-joined', why, request.id);
    }
    const target = seats.find((seat) => seat.memberId === request.to && seat.seat !== me.seat && isLive(seat, now));
    if (!target) return this.ctx.reject(connectionId, 'unknown-peer', 'No such member in your room.', request.id);
    const unavailable = () =>
      this.ctx.reject(
        connectionId,
        'peer-unavailable',
        'The other person is reconnecting; try again shortly.',
        request.id,
      );
    if (!target.connectionId) return unavailable();
    const relayed: ServerMessage = {
      type: 'signal',
      ...(request.id ? { id: request.id } : {}),
      from: me.memberId,
      data: request.data,
    };
    if ((await this.ctx.send(target.connectionId, relayed)) === 'sent') return 'ok';
    // The target's socket vanished without `$disconnect` yet (a network blip): its seat is held for the resume
    // grace, as `$disconnect` would, and the sender keeps the signal until `peer-resumed`.
    await this.ctx.holdForResume(target, RESUME_GRACE_SECONDS);
    await unavailable();
    return 'gone';
  }

  /**
   * Keeps the waiting member's prepared offer with its seat, for `peek`: at most MAX_PARKED_OFFER_BYTES, and with
   * every address and port scrubbed, whatever the client sent.
   */
  async park(connectionId: string, request: ParkRequest): Promise<Outcome> {
    const { store } = this.ctx;
    const sdp = scrubOfferAddresses(request.data.description.sdp);
    const bytes = utf8Bytes(sdp);
    if (bytes > MAX_PARKED_OFFER_BYTES) {
      return this.ctx.reject(
        connectionId,
        'too-large',
        `A parked offer is at most ${MAX_PARKED_OFFER_BYTES} bytes; this one is ${bytes}. Send it after someone joins.`,
        request.id,
      );
    }
    const seats = await store.listSeats(request.roomId);
    const me = seatOf(seats, connectionId, this.ctx.nowSeconds());
    const parked = {
      ...(request.id ? { id: request.id } : {}),
      data: { kind: 'description' as const, description: { type: 'offer' as const, sdp } },
    };
    if (!me || !(await store.parkOffer(request.roomId, me.seat, connectionId, parked))) {
      return this.ctx.reject(connectionId, 'not-joined', 'You have no seat in that room; join it first.', request.id);
    }
    return 'ok';
  }

  /**
   * Who is in a room, for its lobby. While one impolite member waits alone with a parked offer, the offer comes too,
   * with TURN credentials: the person in the lobby answers it before joining, so Join only sends that answer. On a
   * private deployment only a ticket for this room gets here; the offer carries no address.
   *
   * TURN credentials also come at the top level, for the lobby's connection test: always for a ticket holder (the
   * username names the ticket, so coturn's per-user quota caps the invitation however often it peeks), but on an
   * open deployment only alongside a parked offer, as before: there anyone may connect and peek, and handing a fresh
   * TURN username to whoever asks would make the relay free for anyone on the internet.
   */
  async peek(caller: Caller, request: PeekRequest): Promise<Outcome> {
    const now = this.ctx.nowSeconds();
    const seats = (await this.ctx.store.listSeats(request.roomId)).filter((seat) => isLive(seat, now));
    const waiting = seats.length === 1 ? seats[0] : undefined;
    const parked = waiting?.connectionId && waiting.role === 'impolite' ? waiting.parked : undefined;
    const offered = waiting && parked ? { from: waiting.memberId, ...parked } : undefined;
    const label = turnLabelOf(caller, randomToken(LOBBY_TURN_LABEL_BYTES));
    const grant = caller.admission || offered ? await this.ctx.deps.issueTurn(label) : undefined;
    await this.ctx.send(caller.connectionId, {
      type: 'room',
      ...(request.id ? { id: request.id } : {}),
      roomId: request.roomId,
      members: seats.map(memberOf),
      ...(offered && grant ? { offer: { ...offered, ...grant } } : {}),
      ...grant,
    });
    return 'ok';
  }
}
