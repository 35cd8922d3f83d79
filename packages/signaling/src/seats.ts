import type { Role } from '@parley/protocol';
import type { Seat } from './room-store';

/*
 * Reading a room's seats. A seat item lives until its lease (`expiresAt`) runs out; TTL deletion is lazy, so every
 * reader filters on the lease itself.
 */

/** Seat 0 is taken first, so the first to join is impolite and whoever joins second is polite. */
export const roleOfSeat = (seat: number): Role => (seat === 0 ? 'impolite' : 'polite');

/** True while a seat's lease runs (held for a resume counts: its owner may come back). */
export const isLive = (seat: Seat, nowSeconds: number): boolean => seat.expiresAt >= nowSeconds;

/** The live seats of a room other than seat number `mine`. */
export const liveOthers = (seats: Seat[], mine: number, nowSeconds: number): Seat[] =>
  seats.filter((seat) => seat.seat !== mine && isLive(seat, nowSeconds));

/** The live seat a connection holds in a room, if any. */
export const seatOf = (seats: Seat[], connectionId: string, nowSeconds: number): Seat | undefined =>
  seats.find((seat) => seat.connectionId === connectionId && isLive(seat, nowSeconds));

/** A seat as the other members see it. */
export const memberOf = (seat: Seat) => ({
  memberId: seat.memberId,
  role: seat.role,
  ...(seat.name ? { name: seat.name } : {}),
});
