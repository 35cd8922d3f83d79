import { createHash } from 'node:crypto';
import {
  API_GATEWAY_LIMITS,
  type ClientMessage,
  type ErrorCode,
  type JoinedMessage,
  type JoinRequest,
  KEEPALIVE_INTERVAL_MS,
  type ParkRequest,
  type PeekRequest,
  PROTOCOL_VERSION,
  RESUME_GRACE_SECONDS,
  ROOM_CAPACITY,
  type Role,
  randomToken,
  SEAT_LEASE_SECONDS,
  type ServerMessage,
  type SignalRequest,
} from '@parley/protocol';
import type { PeerGateway } from './peer-gateway';
import type { RoomStore, Seat } from './room-store';
import type { TurnGrant } from './turn-credentials';

/** Member ids are 96 random bits: only ever compared, never guessed usefully (routing checks the room too). */
const MEMBER_ID_BYTES = 12;
/** Resume tokens are 128 random bits; only their SHA-256 is stored. */
const RESUME_TOKEN_BYTES = 16;
/** A connection record outlives the longest possible connection; the TTL then sweeps forgotten ones. */
const CONNECTION_RECORD_TTL_SECONDS = API_GATEWAY_LIMITS.maxConnectionMs / 1000 + 60;

/** Seat 0 is taken first, so the first to join is impolite and whoever joins second is polite. */
const roleOfSeat = (seat: number): Role => (seat === 0 ? 'impolite' : 'polite');

/** The offer a seat's member parked (`park`), as stored with the seat. */
const parkedOffer = (seat: Seat | undefined) =>
  seat?.parked ? (JSON.parse(seat.parked) as NonNullable<JoinedMessage['offer']>) : undefined;

/** A seat as the other members see it. */
const memberOf = (seat: Seat) => ({
  memberId: seat.memberId,
  role: seat.role,
  ...(seat.name ? { name: seat.name } : {}),
});

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

export interface RoomServiceDeps {
  store: RoomStore;
  peers: PeerGateway;
  issueTurn: (memberId: string) => Promise<TurnGrant>;
  now: () => number;
}

/** What a request did, for the structured log (never contents). */
export type Outcome = 'ok' | ErrorCode | 'gone';

/** The signaling operations: join, relay, keepalive, leave, TURN refresh and socket loss. */
export class RoomService {
  constructor(private readonly deps: RoomServiceDeps) {}

  private nowSeconds(): number {
    return Math.floor(this.deps.now() / 1000);
  }

  private isLive(seat: Seat): boolean {
    return seat.expiresAt >= this.nowSeconds();
  }

  /** Sends to a socket; a sender that vanished meanwhile is not an error worth failing the request for. */
  private async send(connectionId: string, message: ServerMessage): Promise<'sent' | 'gone'> {
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

  /** Dispatches one validated client message. */
  async handle(connectionId: string, message: ClientMessage): Promise<Outcome> {
    switch (message.type) {
      case 'join':
        return this.join(connectionId, message);
      case 'signal':
        return this.signal(connectionId, message);
      case 'ping':
        return this.ping(connectionId, message.id);
      case 'leave':
        return this.leave(connectionId, message.id);
      case 'turn-refresh':
        return this.refreshTurn(connectionId, message.id);
      case 'park':
        return this.park(connectionId, message);
      case 'peek':
        return this.peek(connectionId, message);
    }
  }

  private async join(connectionId: string, request: JoinRequest): Promise<Outcome> {
    const { store } = this.deps;
    // Two independent reads at once (a join waits on every round trip): this socket's seat, if any, and the room.
    const [existing, seats] = await Promise.all([
      store.getConnection(connectionId, this.nowSeconds()),
      store.listSeats(request.roomId),
    ]);
    if (existing) {
      return this.reject(
        connectionId,
        'already-joined',
        'This connection is already in a room; leave it first.',
        request.id,
      );
    }
    if (!request.resume) return this.seatNewMember(connectionId, request, seats);
    if (await this.resume(connectionId, request, seats)) return 'ok';
    // The failed resume may have raced with others: seat afresh from a new read of the room.
    return this.seatNewMember(connectionId, request);
  }

  /** Gives a member its seat back on a new socket. False when the token no longer matches a held seat. */
  private async resume(connectionId: string, request: JoinRequest, seats: Seat[]): Promise<boolean> {
    const { store } = this.deps;
    const resume = request.resume;
    if (!resume) return false;
    const now = this.nowSeconds();
    const held = seats.find((seat) => seat.memberId === resume.memberId);
    const hash = sha256(resume.token);
    if (!held || held.resumeHash !== hash || !this.isLive(held)) return false;
    const before = await store.resumeSeat(
      request.roomId,
      held.seat,
      resume.memberId,
      hash,
      connectionId,
      now + SEAT_LEASE_SECONDS,
      now,
    );
    if (!before) return false;
    await store.putConnection({
      connectionId,
      roomId: request.roomId,
      seat: held.seat,
      memberId: held.memberId,
      expiresAt: now + CONNECTION_RECORD_TTL_SECONDS,
    });
    if (before.connectionId && before.connectionId !== connectionId) {
      // The old socket may still look open (its loss not yet noticed); it must not keep speaking for this seat.
      await Promise.allSettled([
        store.deleteConnection(before.connectionId),
        this.deps.peers.close(before.connectionId),
      ]);
    }
    const others = seats.filter((seat) => seat.seat !== held.seat && this.isLive(seat));
    await this.sendJoined(connectionId, request, held, resume.token, others, true);
    await this.notify(others, { type: 'peer-resumed', memberId: held.memberId });
    return true;
  }

  /** Seats a new member; `firstRead` is the room as just read, if the caller has it. */
  private async seatNewMember(connectionId: string, request: JoinRequest, firstRead?: Seat[]): Promise<Outcome> {
    const { store } = this.deps;
    const memberId = randomToken(MEMBER_ID_BYTES);
    const token = randomToken(RESUME_TOKEN_BYTES);
    const name = request.name?.trim() || undefined;
    // Two passes: if the room looks full, sockets that vanished without `$disconnect` are pruned and we try again.
    for (let pass = 0; pass < 2; pass++) {
      const now = this.nowSeconds();
      const seats = pass === 0 && firstRead ? firstRead : await store.listSeats(request.roomId);
      const taken = new Set(seats.filter((seat) => this.isLive(seat)).map((seat) => seat.seat));
      for (let number = 0; number < ROOM_CAPACITY; number++) {
        if (taken.has(number)) continue;
        const seat: Seat = {
          roomId: request.roomId,
          seat: number,
          memberId,
          role: roleOfSeat(number),
          resumeHash: sha256(token),
          connectionId,
          joinedAt: this.deps.now(),
          expiresAt: now + SEAT_LEASE_SECONDS,
          ...(name ? { name } : {}),
        };
        const { claimed, replaced } = await store.claimSeat(seat, now);
        if (!claimed) continue;
        // Read again after claiming: a concurrent joiner may have taken the other seat since our first read. Of two
        // such joiners at least the later one sees the other, so nobody is left believing they are alone. The
        // connection record is written meanwhile: nothing reads it before this member hears `joined`.
        const [bound, after] = await Promise.all([
          store.bindConnection(
            {
              connectionId,
              roomId: request.roomId,
              seat: number,
              memberId,
              expiresAt: now + CONNECTION_RECORD_TTL_SECONDS,
            },
            now,
          ),
          store.listSeats(request.roomId),
        ]);
        if (!bound) {
          // The same `join` delivered twice and handled at once: the other copy seated this socket first.
          await store.releaseSeat(request.roomId, number, memberId, connectionId);
          return this.reject(connectionId, 'already-joined', 'This connection is already in a room.', request.id);
        }
        // (A copy of this same join may still hold a seat for a moment, until it sees it lost and releases it.)
        const others = after.filter(
          (other) => other.seat !== number && this.isLive(other) && other.connectionId !== connectionId,
        );
        if (replaced) await this.notify(others, { type: 'peer-left', memberId: replaced.memberId, reason: 'expired' });
        // The offer the member waiting alone parked is for us: it comes with `joined` (no hop through that member).
        const offer = parkedOffer(others.find((other) => other.parked));
        await this.sendJoined(connectionId, request, seat, token, others, false, offer);
        await this.notify(others, {
          type: 'peer-joined',
          memberId,
          role: seat.role,
          ...(name ? { name } : {}),
          ...(offer?.id ? { offerId: offer.id } : {}),
        });
        // An offer parked for whoever joins next was for this member: nobody else may answer it now.
        await Promise.all(
          others.filter((other) => other.parked).map((o) => store.clearParked(o.roomId, o.seat, o.memberId)),
        );
        return 'ok';
      }
      if (pass === 0 && (await this.pruneVanished(seats)) === 0) break;
    }
    // Full, unless the seat that filled it is this socket's: another copy of this same join (delivered twice).
    const mine = (await store.listSeats(request.roomId)).some(
      (seat) => seat.connectionId === connectionId && this.isLive(seat),
    );
    if (mine) return this.reject(connectionId, 'already-joined', 'This connection is already in a room.', request.id);
    return this.reject(connectionId, 'room-full', 'This call already has two people in it.', request.id);
  }

  /** Frees seats whose socket no longer exists and tells the remaining member. Returns how many were freed. */
  private async pruneVanished(seats: Seat[]): Promise<number> {
    const suspects = seats.filter((seat) => seat.connectionId && this.isLive(seat));
    const alive = await Promise.all(suspects.map((seat) => this.deps.peers.isConnected(seat.connectionId as string)));
    let pruned = 0;
    for (const [index, seat] of suspects.entries()) {
      if (alive[index]) continue;
      if (await this.prune(seat, seats, 'gone')) pruned++;
    }
    return pruned;
  }

  /** Removes a member whose socket is gone and tells the others in the room that it left. */
  private async prune(seat: Seat, seats: Seat[], reason: 'gone' | 'expired'): Promise<boolean> {
    const { store } = this.deps;
    const released = await store.releaseSeat(seat.roomId, seat.seat, seat.memberId, seat.connectionId);
    if (!released) return false;
    if (seat.connectionId) await store.deleteConnection(seat.connectionId);
    const others = seats.filter((other) => other.seat !== seat.seat && this.isLive(other));
    await this.notify(others, { type: 'peer-left', memberId: seat.memberId, reason });
    return true;
  }

  private async sendJoined(
    connectionId: string,
    request: JoinRequest,
    seat: Seat,
    resumeToken: string,
    others: Seat[],
    resumed: boolean,
    offer?: JoinedMessage['offer'],
  ): Promise<void> {
    const grant = await this.deps.issueTurn(seat.memberId);
    await this.send(connectionId, {
      type: 'joined',
      ...(request.id ? { id: request.id } : {}),
      v: PROTOCOL_VERSION,
      roomId: request.roomId,
      memberId: seat.memberId,
      role: seat.role,
      members: others.map(memberOf),
      resumeToken,
      resumed,
      ...(offer ? { offer } : {}),
      ...grant,
      keepaliveMs: KEEPALIVE_INTERVAL_MS,
    });
  }

  /** Sends to every given member that has a socket; one that turns out to be gone is pruned. */
  private async notify(seats: Seat[], message: ServerMessage): Promise<void> {
    await Promise.all(
      seats.map(async (seat) => {
        if (!seat.connectionId) return;
        if ((await this.send(seat.connectionId, message)) === 'gone') {
          await this.deps.store.releaseSeat(seat.roomId, seat.seat, seat.memberId, seat.connectionId);
          await this.deps.store.deleteConnection(seat.connectionId);
        }
      }),
    );
  }

  private async signal(connectionId: string, request: SignalRequest): Promise<Outcome> {
    const { store } = this.deps;
    // The room a client names is only a hint of where to look: the seat found there must be this socket's.
    const roomId = request.roomId ?? (await store.getConnection(connectionId, this.nowSeconds()))?.roomId;
    if (!roomId) return this.reject(connectionId, 'not-joined', 'Join a room before signaling.', request.id);
    const seats = await store.listSeats(roomId);
    const me = seats.find((seat) => seat.connectionId === connectionId && this.isLive(seat));
    if (!me) {
      const why = request.roomId
        ? 'You have no seat in that room; join it first.'
        : 'Your seat has expired; join again.';
      return this.reject(connectionId, 'not-joined', why, request.id);
    }
    const target = seats.find((seat) => seat.memberId === request.to && seat.seat !== me.seat && this.isLive(seat));
    if (!target) return this.reject(connectionId, 'unknown-peer', 'No such member in your room.', request.id);
    if (!target.connectionId) {
      return this.reject(
        connectionId,
        'peer-unavailable',
        'The other person is reconnecting; try again shortly.',
        request.id,
      );
    }
    const relayed: ServerMessage = {
      type: 'signal',
      ...(request.id ? { id: request.id } : {}),
      from: me.memberId,
      data: request.data,
    };
    if ((await this.send(target.connectionId, relayed)) === 'sent') return 'ok';
    // The target's socket vanished without `$disconnect`: free its seat and tell the sender it left.
    await this.prune(target, seats, 'gone');
    return 'gone';
  }

  /** Keeps the waiting member's prepared offer with its seat, for `peek`. */
  private async park(connectionId: string, request: ParkRequest): Promise<Outcome> {
    const { store } = this.deps;
    const seats = await store.listSeats(request.roomId);
    const me = seats.find((seat) => seat.connectionId === connectionId && this.isLive(seat));
    const parked = JSON.stringify({ ...(request.id ? { id: request.id } : {}), data: request.data });
    if (!me || !(await store.parkOffer(request.roomId, me.seat, connectionId, parked))) {
      return this.reject(connectionId, 'not-joined', 'You have no seat in that room; join it first.', request.id);
    }
    return 'ok';
  }

  /**
   * Who is in a room, for its lobby. While one impolite member waits alone with a parked offer, the offer comes too,
   * with TURN credentials: the person in the lobby answers it before joining, so Join only sends that answer. Only someone
   * holding the room's link (128 random bits) can ask, and the offer carries no candidates (no addresses).
   */
  private async peek(connectionId: string, request: PeekRequest): Promise<Outcome> {
    const seats = (await this.deps.store.listSeats(request.roomId)).filter((seat) => this.isLive(seat));
    const waiting = seats.length === 1 ? seats[0] : undefined;
    const parked = waiting?.connectionId && waiting.role === 'impolite' ? parkedOffer(waiting) : undefined;
    await this.send(connectionId, {
      type: 'room',
      ...(request.id ? { id: request.id } : {}),
      roomId: request.roomId,
      members: seats.map(memberOf),
      ...(waiting && parked
        ? { offer: { from: waiting.memberId, ...parked, ...(await this.deps.issueTurn(randomToken(MEMBER_ID_BYTES))) } }
        : {}),
    });
    return 'ok';
  }

  private async ping(connectionId: string, id: string | undefined): Promise<Outcome> {
    const { store } = this.deps;
    const now = this.nowSeconds();
    const me = await store.getConnection(connectionId, now);
    if (!me) return this.reject(connectionId, 'not-joined', 'Join a room first.', id);
    if (!(await store.renewSeat(me.roomId, me.seat, connectionId, now + SEAT_LEASE_SECONDS))) {
      await store.deleteConnection(connectionId);
      return this.reject(connectionId, 'not-joined', 'Your seat was given up; join again.', id);
    }
    // The keepalive is also when a member learns that the other one did not come back in time.
    const seats = await store.listSeats(me.roomId);
    for (const seat of seats) {
      if (seat.seat !== me.seat && !this.isLive(seat)) await this.prune(seat, seats, 'expired');
    }
    await this.send(connectionId, id ? { type: 'pong', id } : { type: 'pong' });
    return 'ok';
  }

  private async leave(connectionId: string, id: string | undefined): Promise<Outcome> {
    const { store } = this.deps;
    const me = await store.getConnection(connectionId, this.nowSeconds());
    if (me && (await store.releaseSeat(me.roomId, me.seat, me.memberId, connectionId))) {
      const others = (await store.listSeats(me.roomId)).filter((seat) => seat.seat !== me.seat && this.isLive(seat));
      await this.notify(others, { type: 'peer-left', memberId: me.memberId, reason: 'left' });
    }
    if (me) await store.deleteConnection(connectionId);
    // Leaving twice (a retried request) answers the same way: the socket is not in a room either way.
    await this.send(connectionId, id ? { type: 'left', id } : { type: 'left' });
    return 'ok';
  }

  private async refreshTurn(connectionId: string, id: string | undefined): Promise<Outcome> {
    const { store } = this.deps;
    const now = this.nowSeconds();
    const me = await store.getConnection(connectionId, now);
    // Credentials go to seated members only; renewing the lease proves the seat is still this socket's.
    if (!me || !(await store.renewSeat(me.roomId, me.seat, connectionId, now + SEAT_LEASE_SECONDS))) {
      return this.reject(connectionId, 'not-joined', 'TURN credentials are for members of a room; join first.', id);
    }
    const grant = await this.deps.issueTurn(me.memberId);
    await this.send(connectionId, { type: 'turn-credentials', ...(id ? { id } : {}), ...grant });
    return 'ok';
  }

  /** The socket closed. Its seat is held for RESUME_GRACE_SECONDS; nobody is told unless it does not come back. */
  async disconnect(connectionId: string): Promise<Outcome> {
    const { store } = this.deps;
    const now = this.nowSeconds();
    const me = await store.getConnection(connectionId, now);
    if (!me) return 'ok';
    await store.holdSeat(me.roomId, me.seat, connectionId, now + RESUME_GRACE_SECONDS);
    await store.deleteConnection(connectionId);
    return 'ok';
  }
}
