import { ROOM_ID_BYTES } from './limits';

/** A room id is ROOM_ID_BYTES random bytes in unpadded base64url: 22 characters for 128 bits. */
export const ROOM_ID_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** Member ids and resume tokens use the same alphabet; member ids are 96 bits, resume tokens 128. */
export const MEMBER_ID_PATTERN = /^[A-Za-z0-9_-]{16}$/;
export const RESUME_TOKEN_PATTERN = /^[A-Za-z0-9_-]{22}$/;

/** Unpadded base64url of random bytes from the platform CSPRNG (browser and Node alike). */
export function randomToken(bytes: number): string {
  const raw = new Uint8Array(bytes);
  globalThis.crypto.getRandomValues(raw);
  let binary = '';
  for (const b of raw) binary += String.fromCharCode(b);
  return btoa(binary).replace(/\+/g, '-').replace(/\//g, '_').replace(/=+$/, '');
}

/** A fresh, unguessable room id. */
export function createRoomId(): string {
  return randomToken(ROOM_ID_BYTES);
}

/** True when `value` is a well-formed room id (any such id names a room; an unknown one is created on join). */
export function isRoomId(value: unknown): value is string {
  return typeof value === 'string' && ROOM_ID_PATTERN.test(value);
}
