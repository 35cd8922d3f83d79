import { createHash } from 'node:crypto';
import {
  API_GATEWAY_LIMITS,
  type JoinRequest,
  KEEPALIVE_INTERVAL_MS,
  type ParkedSignal,
  PROTOCOL_VERSION,
  RESUME_GRACE_SECONDS,
  ROOM_CAPACITY,
  randomToken,
  SEAT_LEASE_SECONDS,
  type ServerMessage,
} from '@parley/protocol';
import type { Seat } from './room-store';
import { isLive, liveOthers, memberOf, roleOfSeat } from './seats';
import { type Caller, type Outcome, type ServiceContext, turnLabelOf } from './service-context';

/** Member ids are 96 random bits: only ever compared, never guessed usefully (routing checks the room too). */
const MEMBER_ID_BYTES = 12;
/** Resume tokens are 128 random bits; only their SHA-256 is stored. */
const RESUME_TOKEN_BYTES = 16;
/** A connection record outlives the longest possible connection; the TTL then sweeps forgotten ones. */
const CONNECTION_RECORD_TTL_SECONDS = API_GATEWAY_LIMITS.maxConnectionMs / 1000 + 60;

const sha256 = (text: string) => createHash('sha256').update(text).digest('hex');

/** Taking, keeping, resuming and giving up seats: join, keepalive, leave, TURN refresh and socket loss. */
export class Membership {
  constructor(private readonly ctx: ServiceContext) {}

  async join(caller: Caller, request: JoinRequest): Promise<Outcome> {
    const { connectionId } = caller;
    const { store } = this.ctx;
    // Two independent reads at once (a join waits on every round trip): this socket's seat, if any, and the room.
    const [existing, seats] = await Promise.all([
      store.getConnection(connectionId, this.ctx.nowSeconds()),
      store.listSeats(request.roomId),
    ]);
    if (existing) {
      return this.ctx.reject(
        connectionId,
        'already-joined',
        'This connection is already in a room; leave it first.',
        request.id,
      );
    }
    if (request.resume && (await this.resume(caller, request, seats))) return 'ok';
    const ticketId = caller.admission?.ticketId;
    const holder = ticketId && seats.find((seat) => seat.ticketId === ticketId && isLive(seat, this.ctx.nowSeconds()));
    if (holder && holder.connectionId !== connectionId) {
      // A guest link admits one person: whoever holds the seat with it (or may resume it) keeps it.
      return this.ctx.reject(
        connectionId,
        'ticket-in-use',
        'Someone is already in this call with this invitation link. Ask for a new link.',
        request.id,
      );
    }
    // A failed resume may have raced with others: seat afresh from a new read of the room.
    return this.seatNewMember(caller, request, request.resume ? undefined : seats);
  }

  /** Gives a member its seat back on a new socket. False when the token no longer matches a held seat. */
  private async resume(caller: Caller, request: JoinRequest, seats: Seat[]): Promise<boolean> {
    const { connectionId } = caller;
    const { store } = this.ctx;
    const resume = request.resume;
    if (!resume) return false;
    const now = this.ctx.nowSeconds();
    const held = seats.find((seat) => seat.memberId === resume.memberId);
    const hash = sha256(resume.token);
    if (!held || held.resumeHash !== hash || !isLive(held, now)) return false;
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
        this.ctx.deps.peers.close(before.connectionId),
      ]);
    }
    const others = liveOthers(seats, held.seat, now);
    await this.sendJoined(caller, request, held, resume.token, others, true);
    await this.notify(others, { type: 'peer-resumed', memberId: held.memberId });
    return true;
  }

  /** Seats a new member; `firstRead` is the room as just read, if the caller has it. */
  private async seatNewMember(caller: Caller, request: JoinRequest, firstRead?: Seat[]): Promise<Outcome> {
    const { connectionId } = caller;
    const { store } = this.ctx;
    const memberId = randomToken(MEMBER_ID_BYTES);
    const token = randomToken(RESUME_TOKEN_BYTES);
    const name = request.name?.trim() || undefined;
    const ticketId = caller.admission?.ticketId;
    // Two passes: if the room looks full, sockets that vanished without `$disconnect` are pruned and we try again.
    for (let pass = 0; pass < 2; pass++) {
      const now = this.ctx.nowSeconds();
      const seats = pass === 0 && firstRead ? firstRead : await store.listSeats(request.roomId);
      const taken = new Set(seats.filter((seat) => isLive(seat, now)).map((seat) => seat.seat));
      for (let number = 0; number < ROOM_CAPACITY; number++) {
        if (taken.has(number)) continue;
        const seat: Seat = {
          roomId: request.roomId,
          seat: number,
          memberId,
          role: roleOfSeat(number),
          resumeHash: sha256(token),
          connectionId,
          joinedAt: this.ctx.deps.now(),
          expiresAt: now + SEAT_LEASE_SECONDS,
          ...(name ? { name } : {}),
          ...(ticketId ? { ticketId } : {}),
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
          return this.ctx.reject(connectionId, 'already-joined', 'This connection is already in a room.', request.id);
        }
        // (A copy of this same join may still hold a seat for a moment, until it sees it lost and releases it.)
        const others = liveOthers(after, number, now).filter((other) => other.connectionId !== connectionId);
        if (ticketId && others.some((other) => other.ticketId === ticketId)) {
          // Two sockets with one guest link joined at the same moment: the other one was first.
          await Promise.all([
            store.releaseSeat(request.roomId, number, memberId, connectionId),
            store.deleteConnection(connectionId),
          ]);
          return this.ctx.reject(
            connectionId,
            'ticket-in-use',
            'Someone is already in this call with this invitation link. Ask for a new link.',
            request.id,
          );
        }
        if (replaced) await this.notify(others, { type: 'peer-left', memberId: replaced.memberId, reason: 'expired' });
        // The offer the member waiting alone parked is for us: it comes with `joined` (no hop through that member).
        const offer = others.find((other) => other.parked)?.parked;
        await this.sendJoined(caller, request, seat, token, others, false, offer);
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
      (seat) => seat.connectionId === connectionId && isLive(seat, this.ctx.nowSeconds()),
    );
    if (mine) {
      return this.ctx.reject(connectionId, 'already-joined', 'This connection is already in a room.', request.id);
    }
    return this.ctx.reject(connectionId, 'room-full', 'This call already has two people in it.', request.id);
  }

  /** Frees seats whose socket no longer exists and tells the remaining member. Returns how many were freed. */
  private async pruneVanished(seats: Seat[]): Promise<number> {
    const now = this.ctx.nowSeconds();
    const suspects = seats.filter((seat) => seat.connectionId && isLive(seat, now));
    const alive = await Promise.all(
      suspects.map((seat) => this.ctx.deps.peers.isConnected(seat.connectionId as string)),
    );
    let pruned = 0;
    for (const [index, seat] of suspects.entries()) {
      if (alive[index]) continue;
      if (await this.prune(seat, seats, 'gone')) pruned++;
    }
    return pruned;
  }

  /** Removes a member whose socket is gone or whose lease ran out, and tells the others in the room that it left. */
  private async prune(seat: Seat, seats: Seat[], reason: 'gone' | 'expired'): Promise<boolean> {
    const { store } = this.ctx;
    const released = await store.releaseSeat(seat.roomId, seat.seat, seat.memberId, seat.connectionId);
    if (!released) return false;
    if (seat.connectionId) await store.deleteConnection(seat.connectionId);
    await this.notify(liveOthers(seats, seat.seat, this.ctx.nowSeconds()), {
      type: 'peer-left',
      memberId: seat.memberId,
      reason,
    });
    return true;
  }

  private async sendJoined(
    caller: Caller,
    request: JoinRequest,
    seat: Seat,
    resumeToken: string,
    others: Seat[],
    resumed: boolean,
    offer?: ParkedSignal,
  ): Promise<void> {
    const grant = await this.ctx.deps.issueTurn(turnLabelOf(caller, seat.memberId));
    await this.ctx.send(caller.connectionId, {
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

  /** Sends to every given member that has a socket; one whose socket turns out to be gone is held for its resume. */
  async notify(seats: Seat[], message: ServerMessage): Promise<void> {
    await Promise.all(
      seats.map(async (seat) => {
        if (!seat.connectionId) return;
        if ((await this.ctx.send(seat.connectionId, message)) === 'gone') {
          await this.ctx.holdForResume(seat, RESUME_GRACE_SECONDS);
        }
      }),
    );
  }

  async ping(connectionId: string, id: string | undefined): Promise<Outcome> {
    const { store } = this.ctx;
    const now = this.ctx.nowSeconds();
    const me = await store.getConnection(connectionId, now);
    if (!me) return this.ctx.reject(connectionId, 'not-joined', 'Join a room first.', id);
    if (!(await store.renewSeat(me.roomId, me.seat, connectionId, now + SEAT_LEASE_SECONDS))) {
      await store.deleteConnection(connectionId);
      return this.ctx.reject(connectionId, 'not-joined', 'Your seat was given up; join again.', id);
    }
    // The keepalive is also when a member learns that the other one did not come back in time.
    const seats = await store.listSeats(me.roomId);
    for (const seat of seats) {
      if (seat.seat !== me.seat && !isLive(seat, now)) await this.prune(seat, seats, 'expired');
    }
    await this.ctx.send(connectionId, id ? { type: 'pong', id } : { type: 'pong' });
    return 'ok';
  }

  async leave(connectionId: string, id: string | undefined): Promise<Outcome> {
    const { store } = this.ctx;
    const me = await store.getConnection(connectionId, this.ctx.nowSeconds());
    if (me && (await store.releaseSeat(me.roomId, me.seat, me.memberId, connectionId))) {
      const others = liveOthers(await store.listSeats(me.roomId), me.seat, this.ctx.nowSeconds());
      await this.notify(others, { type: 'peer-left', memberId: me.memberId, reason: 'left' });
    }
    if (me) await store.deleteConnection(connectionId);
    // Leaving twice (a retried request) answers the same way: the socket is not in a room either way.
    await this.ctx.send(connectionId, id ? { type: 'left', id } : { type: 'left' });
    return 'ok';
  }

  async refreshTurn(caller: Caller, id: string | undefined): Promise<Outcome> {
    const { connectionId } = caller;
    const { store } = this.ctx;
    const now = this.ctx.nowSeconds();
    const me = await store.getConnection(connectionId, now);
    // Credentials go to seated members only; renewing the lease proves the seat is still this socket's.
    if (!me || !(await store.renewSeat(me.roomId, me.seat, connectionId, now + SEAT_LEASE_SECONDS))) {
      return this.ctx.reject(connectionId, 'not-joined', 'TURN credentials are for members of a room; join first.', id);
    }
    const grant = await this.ctx.deps.issueTurn(turnLabelOf(caller, me.memberId));
    await this.ctx.send(connectionId, { type: 'turn-credentials', ...(id ? { id } : {}), ...grant });
    return 'ok';
  }

  /** The socket closed. Its seat is held for RESUME_GRACE_SECONDS; nobody is told unless it does not come back. */
  async disconnect(connectionId: string): Promise<Outcome> {
    const { store } = this.ctx;
    const now = this.ctx.nowSeconds();
    const me = await store.getConnection(connectionId, now);
    if (!me) return 'ok';
    await store.holdSeat(me.roomId, me.seat, connectionId, now + RESUME_GRACE_SECONDS);
    await store.deleteConnection(connectionId);
    return 'ok';
  }
}
