import {
  type AccessMode,
  OWNER_TICKET_VALIDITY_SECONDS,
  type OwnerKey,
  readTicket,
  signTicket,
} from '@parley/protocol';

/*
 * What this page may do in a room of a private deployment (see @parley/protocol's access.ts): the owner signs itself
 * a ticket, a guest brings one in the link, a stranger has none and opens no socket at all. The server checks every
 * ticket; this only decides what to show and which ticket to present.
 */

export type RoomAccess =
  /** An open deployment: anyone with the link, no ticket. */
  | { kind: 'open' }
  /** The owner, with a ticket of its own for this room and the key to make invitations with. */
  | { kind: 'owner'; ticket: string; owner: OwnerKey }
  /** A guest with an invitation. */
  | { kind: 'guest'; ticket: string; invitedBy: string | undefined }
  /** An invitation whose time is up. */
  | { kind: 'expired'; invitedBy: string | undefined }
  /** No owner key here and no invitation: someone who only has the site's address. */
  | { kind: 'stranger' }
  /** An invitation that cannot be read, or is for another room. */
  | { kind: 'broken' };

/** Decides how this page enters `roomId`, from the link's ticket (if any) and the owner key kept here (if any). */
export async function roomAccess(options: {
  access: AccessMode;
  roomId: string;
  ticket: string | undefined;
  nowSeconds: number;
  loadOwnerKey(): Promise<OwnerKey | undefined>;
}): Promise<RoomAccess> {
  if (options.access === 'open') return { kind: 'open' };
  if (options.ticket !== undefined) {
    const claims = readTicket(options.ticket);
    if (!claims || claims.room !== options.roomId) return { kind: 'broken' };
    if (claims.exp <= options.nowSeconds) return { kind: 'expired', invitedBy: claims.by };
    return { kind: 'guest', ticket: options.ticket, invitedBy: claims.by };
  }
  const owner = await options.loadOwnerKey();
  if (!owner) return { kind: 'stranger' };
  const ticket = await signTicket(owner, {
    room: options.roomId,
    role: 'owner',
    exp: options.nowSeconds + OWNER_TICKET_VALIDITY_SECONDS,
  });
  return { kind: 'owner', ticket, owner };
}

/** A new invitation to `roomId`: one guest, valid for `hours`, naming the inviter when they gave a name. */
export function signInvitation(
  owner: OwnerKey,
  options: { roomId: string; hours: number; by: string | undefined; nowSeconds: number },
): Promise<string> {
  return signTicket(owner, {
    room: options.roomId,
    role: 'guest',
    exp: options.nowSeconds + options.hours * 60 * 60,
    ...(options.by ? { by: options.by } : {}),
  });
}
