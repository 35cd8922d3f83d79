import { isOwnerKey, isRoomId, MAX_TICKET_CHARS, OWNER_LINK_FRAGMENT_PREFIX } from '@parley/protocol';

/*
 * Where the page is, from the URL fragment, which never reaches a server (room ids, tickets and the owner key stay
 * out of every access log, and the static site needs no routing):
 * - `/#owner=<key>`: the owner link (see @parley/protocol's access.ts);
 * - `/#<roomId>`: a room, as its owner (or anyone, on an open deployment) opens it;
 * - `/#<roomId>/<ticket>`: an invitation, the guest link.
 */

/** The view a URL fragment asks for. */
export type Route =
  | { view: 'landing' }
  | { view: 'owner-key'; ownerKey: string }
  | { view: 'room'; roomId: string; ticket?: string }
  | { view: 'broken-link' };

/** Reads the route from `location.hash` (with or without the leading `#`). */
export function routeFromHash(hash: string): Route {
  const fragment = hash.replace(/^#/, '').trim();
  if (fragment === '') return { view: 'landing' };
  if (fragment.startsWith(OWNER_LINK_FRAGMENT_PREFIX)) {
    const ownerKey = fragment.slice(OWNER_LINK_FRAGMENT_PREFIX.length);
    return isOwnerKey(ownerKey) ? { view: 'owner-key', ownerKey } : { view: 'broken-link' };
  }
  const [roomId, ticket, extra] = fragment.split('/');
  if (!isRoomId(roomId) || extra !== undefined) return { view: 'broken-link' };
  if (ticket === undefined) return { view: 'room', roomId };
  return ticket.length > 0 && ticket.length <= MAX_TICKET_CHARS
    ? { view: 'room', roomId, ticket }
    : { view: 'broken-link' };
}

/** The guest link for a room: this page's address with the room and the invitation ticket in the fragment. */
export function invitationLink(pageUrl: string, roomId: string, ticket: string): string {
  return `${roomLink(pageUrl, roomId)}/${ticket}`;
}

/**
 * The link to share for a room: this page's address with the room in the fragment. Diagnostic query options
 * (`?relay`, `?debug`) are dropped: they are for this tab, not for the person invited.
 */
export function roomLink(pageUrl: string, roomId: string): string {
  const url = new URL(pageUrl);
  return `${url.origin}${url.pathname}#${roomId}`;
}
