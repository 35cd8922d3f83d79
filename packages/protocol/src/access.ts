import { clampDisplayName } from './display-name';
import { MAX_NAME_BYTES } from './limits';
import { isRoomId, randomToken } from './room-id';

/*
 * Who may use a deployment. A private deployment (the default) has one owner key, generated at deploy time; the
 * owner's browser keeps it and signs tickets with it: one for itself each time it connects, and one per invitation
 * (the guest link). API Gateway's `$connect` authorizer checks the ticket before a socket exists, so a stranger with
 * the site URL cannot open a WebSocket at all. The same code signs in the browser and verifies on the server
 * (WebCrypto HMAC-SHA256 in both).
 *
 * A ticket is `<claims>.<signature>`: base64url(JSON claims) and base64url(HMAC-SHA256(owner key, claims part)).
 * The claims are readable by whoever holds the link (the guest's page shows who invited them and until when); they
 * are authentic only once the signature is checked.
 */

/** `private`: only the owner and people they invite; `open`: anyone with the site URL (public demos). */
export const ACCESS_MODES = ['private', 'open'] as const;
export type AccessMode = (typeof ACCESS_MODES)[number];

/** The owner key: 43 letters and digits (62^43 > 2^256), plain enough for a URL fragment and a Secrets Manager value. */
export const OWNER_KEY_LENGTH = 43;
export const OWNER_KEY_PATTERN = /^[A-Za-z0-9]{43}$/;

/** How long an invitation (guest link) works, unless the deployment says otherwise. */
export const DEFAULT_INVITE_VALIDITY_HOURS = 24;
/** The longest an invitation may work: a month, so that a forgotten link does not open the door for ever. */
export const MAX_INVITE_VALIDITY_HOURS = 30 * 24;

/**
 * The owner's browser signs itself a ticket for each room it opens; it covers reconnects of a long call (API Gateway
 * closes sockets after 2 hours) and is re-signed on every page load.
 */
export const OWNER_TICKET_VALIDITY_SECONDS = 24 * 60 * 60;

/** A server accepts tickets whose expiry is this far beyond the configured validity: browsers' clocks drift. */
export const TICKET_CLOCK_SKEW_SECONDS = 5 * 60;

/** Ticket ids are 96 random bits: one per invitation, so a seat and TURN quota can be tied to it. */
export const TICKET_ID_BYTES = 12;
export const TICKET_ID_PATTERN = /^[A-Za-z0-9_-]{16}$/;

/** A key id is the first 48 bits of SHA-256(owner key): enough to tell a rotated key from the current one. */
const KEY_ID_CHARS = 8;

/** Longer than any ticket we sign (≈ 1,100 characters with the longest name); anything longer is refused unread. */
export const MAX_TICKET_CHARS = 1_500;

export type TicketRole = 'owner' | 'guest';

/** What a ticket says. Times are epoch seconds. */
export interface TicketClaims {
  /** Format version of the ticket. */
  v: 1;
  /** Which owner key signed it (see {@link ownerKeyId}). */
  kid: string;
  room: string;
  role: TicketRole;
  /** Unique per ticket: a guest link is one ticket. */
  tid: string;
  exp: number;
  /** The inviter's display name, shown in the guest's lobby. */
  by?: string;
}

/** WebCrypto's key type, named the same way under the DOM's and Node's type definitions. */
type HmacKey = Awaited<ReturnType<typeof globalThis.crypto.subtle.importKey>>;

/** An imported owner key: the HMAC key (non-extractable in the browser) and its id. */
export interface OwnerKey {
  key: HmacKey;
  kid: string;
}

/** Why a ticket was refused (never shown to a stranger in detail; logged, and used by tests). */
export type TicketRefusal = 'malformed' | 'forged' | 'revoked' | 'expired' | 'too-long-lived';

export type TicketCheck = { ok: true; claims: TicketClaims } | { ok: false; reason: TicketRefusal };

const encoder = new TextEncoder();
const decoder = new TextDecoder();

function base64url(bytes: Uint8Array): string {
  let binary = '';
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

function fromBase64url(text: string): Uint8Array<ArrayBuffer> | undefined {
  if (!/^[A-Za-z0-9_-]*$/.test(text)) return undefined;
  try {
    const binary = atob(text.replace(/-/g, '+').replace(/_/g, '/'));
    return Uint8Array.from(binary, (c) => c.charCodeAt(0));
  } catch {
    return undefined;
  }
}

/** A fresh owner key (the CDK stack has Secrets Manager generate one of the same shape). */
export function createOwnerKey(): string {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  // 248 is the largest multiple of 62 below 256: rejecting bytes above it keeps every letter equally likely.
  const unbiasedLimit = 248;
  let key = '';
  while (key.length < OWNER_KEY_LENGTH) {
    const bytes = globalThis.crypto.getRandomValues(new Uint8Array(64));
    for (const b of bytes) if (b < unbiasedLimit && key.length < OWNER_KEY_LENGTH) key += alphabet[b % 62];
  }
  return key;
}

/** True when `value` has the shape of an owner key. */
export function isOwnerKey(value: unknown): value is string {
  return typeof value === 'string' && OWNER_KEY_PATTERN.test(value);
}

/** The id tickets carry to name the key that signed them. */
export async function ownerKeyId(ownerKey: string): Promise<string> {
  const digest = await globalThis.crypto.subtle.digest('SHA-256', encoder.encode(ownerKey));
  return base64url(new Uint8Array(digest)).slice(0, KEY_ID_CHARS);
}

/** Imports an owner key for signing and verifying; the CryptoKey cannot be read back out (`extractable: false`). */
export async function importOwnerKey(ownerKey: string): Promise<OwnerKey> {
  if (!isOwnerKey(ownerKey)) throw new Error(`An owner key is ${OWNER_KEY_LENGTH} letters and digits.`);
  const key = await globalThis.crypto.subtle.importKey(
    'raw',
    encoder.encode(ownerKey),
    { name: 'HMAC', hash: 'SHA-256' },
    false,
    ['sign', 'verify'],
  );
  return { key, kid: await ownerKeyId(ownerKey) };
}

/** A fresh ticket id. */
export function createTicketId(): string {
  return randomToken(TICKET_ID_BYTES);
}

/** Signs a ticket for `room`. */
export async function signTicket(
  owner: OwnerKey,
  claims: { room: string; role: TicketRole; exp: number; tid?: string; by?: string },
): Promise<string> {
  const by = claims.by === undefined ? undefined : clampDisplayName(claims.by);
  const full: TicketClaims = {
    v: 1,
    kid: owner.kid,
    room: claims.room,
    role: claims.role,
    tid: claims.tid ?? createTicketId(),
    exp: claims.exp,
    ...(by ? { by } : {}),
  };
  const body = base64url(encoder.encode(JSON.stringify(full)));
  const signature = await globalThis.crypto.subtle.sign('HMAC', owner.key, encoder.encode(body));
  return `${body}.${base64url(new Uint8Array(signature))}`;
}

/** True when `value` has the shape of valid claims. */
function isClaims(value: unknown): value is TicketClaims {
  if (typeof value !== 'object' || value === null) return false;
  const c = value as Record<string, unknown>;
  return (
    c.v === 1 &&
    typeof c.kid === 'string' &&
    c.kid.length === KEY_ID_CHARS &&
    isRoomId(c.room) &&
    (c.role === 'owner' || c.role === 'guest') &&
    typeof c.tid === 'string' &&
    TICKET_ID_PATTERN.test(c.tid) &&
    Number.isSafeInteger(c.exp) &&
    (c.by === undefined || (typeof c.by === 'string' && c.by.length <= MAX_NAME_BYTES))
  );
}

/**
 * Reads a ticket's claims WITHOUT checking its signature: for the guest's page (who invited me, until when). Never
 * trust the result for access; the server checks with {@link verifyTicket}.
 */
export function readTicket(ticket: string): TicketClaims | undefined {
  if (typeof ticket !== 'string' || ticket.length > MAX_TICKET_CHARS) return undefined;
  const [body, signature, extra] = ticket.split('.');
  if (!body || !signature || extra !== undefined) return undefined;
  const bytes = fromBase64url(body);
  if (!bytes) return undefined;
  try {
    const claims: unknown = JSON.parse(decoder.decode(bytes));
    return isClaims(claims) ? claims : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Checks a ticket against the owner key: signed by it, not expired, and not valid for longer than a ticket of
 * `role` may be (`maxValiditySeconds` by role). The signature is compared in constant time by WebCrypto.
 */
export async function verifyTicket(
  owner: OwnerKey,
  ticket: string,
  nowSeconds: number,
  maxValiditySeconds: Record<TicketRole, number>,
): Promise<TicketCheck> {
  const claims = readTicket(ticket);
  if (!claims) return { ok: false, reason: 'malformed' };
  if (claims.kid !== owner.kid) return { ok: false, reason: 'revoked' };
  const [body = '', signatureText = ''] = ticket.split('.');
  const signature = fromBase64url(signatureText);
  const valid =
    signature !== undefined &&
    (await globalThis.crypto.subtle.verify('HMAC', owner.key, signature, encoder.encode(body)));
  if (!valid) return { ok: false, reason: 'forged' };
  if (claims.exp <= nowSeconds) return { ok: false, reason: 'expired' };
  if (claims.exp > nowSeconds + maxValiditySeconds[claims.role] + TICKET_CLOCK_SKEW_SECONDS) {
    return { ok: false, reason: 'too-long-lived' };
  }
  return { ok: true, claims };
}

/** The longest validity the server accepts per role, from the deployment's invitation setting. */
export function ticketValidityLimits(inviteValidityHours: number): Record<TicketRole, number> {
  return { owner: OWNER_TICKET_VALIDITY_SECONDS, guest: inviteValidityHours * 60 * 60 };
}

/** The query parameters of the signaling URL the `$connect` authorizer reads (its identity sources). */
export const TICKET_QUERY_PARAMETER = 'ticket';
export const ROOM_QUERY_PARAMETER = 'room';

/**
 * The signaling URL for a room: `wss://…/v1?room=…&ticket=…`. Naming the room lets the authorizer refuse a ticket for
 * another room before a socket exists; without a ticket (an open deployment) the URL is left as it is.
 */
export function signalingUrlWithTicket(signalingUrl: string, room: string, ticket: string | undefined): string {
  if (!ticket) return signalingUrl;
  const url = new URL(signalingUrl);
  url.searchParams.set(ROOM_QUERY_PARAMETER, room);
  url.searchParams.set(TICKET_QUERY_PARAMETER, ticket);
  return url.toString();
}

/** The owner link's fragment starts with this: `https://<site>/#owner=<key>` (a fragment never reaches a server). */
export const OWNER_LINK_FRAGMENT_PREFIX = 'owner=';

/** The owner link of a deployment: its site with the owner key in the fragment. */
export function ownerLink(siteUrl: string, ownerKey: string): string {
  const url = new URL(siteUrl);
  return `${url.origin}${url.pathname}#${OWNER_LINK_FRAGMENT_PREFIX}${ownerKey}`;
}
