import { isRoomId } from '@parley/protocol';

/*
 * Where the page is: room links are `/#<roomId>`. The fragment never reaches a server, so room ids stay out of
 * access logs, and the static site needs no routing.
 */

/** The view a URL fragment asks for. */
export type Route = { view: 'landing' } | { view: 'room'; roomId: string } | { view: 'broken-link' };

/** Reads the route from `location.hash` (with or without the leading `#`). */
export function routeFromHash(hash: string): Route {
  const fragment = hash.replace(/^#/, '').trim();
  if (fragment === '') return { view: 'landing' };
  return isRoomId(fragment) ? { view: 'room', roomId: fragment } : { view: 'broken-link' };
}

/**
 * The link to share for a room: this page's address with the room in the fragment. Diagnostic query options
 * (`?relay`, `?debug`) are dropped: they are for this tab, not for the person invited.
 */
export function roomLink(pageUrl: string, roomId: string): string {
  const url = new URL(pageUrl);
  return `${url.origin}${url.pathname}#${roomId}`;
}
