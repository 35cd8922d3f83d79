import * as v from 'valibot';
import type { ErrorCode } from './errors';
import { MAX_ECHOED_CHARS, MAX_MESSAGE_BYTES, MAX_REQUEST_ID_LENGTH, PROTOCOL_VERSION } from './limits';
import { CLIENT_MESSAGE_TYPES, ClientMessage, ServerMessage } from './messages';
import { isRoomId } from './room-id';

/** The outcome of reading one message: the typed message, or the error to send back to its sender. */
export type Parsed<T> = { ok: true; message: T } | { ok: false; code: ErrorCode; message: string; ref?: string };

const encoder = new TextEncoder();

/** The request id of a message we could not accept, so the error can still point at it. */
function refOf(value: unknown): string | undefined {
  if (typeof value !== 'object' || value === null) return undefined;
  const id = (value as { id?: unknown }).id;
  return typeof id === 'string' && id.length > 0 && id.length <= MAX_REQUEST_ID_LENGTH ? id : undefined;
}

/** Input quoted back in an error, cut to MAX_ECHOED_CHARS: an error is never larger than what caused it. */
export function echoed(text: string): string {
  return text.length <= MAX_ECHOED_CHARS ? text : `${text.slice(0, MAX_ECHOED_CHARS)}…`;
}

function fail(code: ErrorCode, message: string, ref?: string): Parsed<never> {
  return ref === undefined ? { ok: false, code, message } : { ok: false, code, message, ref };
}

/** Validates a raw client → server message. Never throws; every rejection carries an error code for the sender. */
export function parseClientMessage(raw: string | undefined | null): Parsed<ClientMessage> {
  if (typeof raw !== 'string' || raw.length === 0) return fail('bad-json', 'The message is empty.');
  const size = raw.length * 3 <= MAX_MESSAGE_BYTES ? 0 : encoder.encode(raw).length;
  if (size > MAX_MESSAGE_BYTES) {
    return fail('too-large', `The message is ${size} bytes; the limit is ${MAX_MESSAGE_BYTES}.`);
  }
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return fail('bad-json', 'The message is not valid JSON.');
  }
  const ref = refOf(value);
  if (typeof value !== 'object' || value === null || Array.isArray(value)) {
    return fail('bad-message', 'A message must be a JSON object with a "type".', ref);
  }
  const type = (value as { type?: unknown }).type;
  if (typeof type !== 'string') return fail('bad-message', 'A message needs a string "type".', ref);
  if (!(CLIENT_MESSAGE_TYPES as readonly string[]).includes(type)) {
    return fail('unknown-type', `Unknown message type "${type.slice(0, 40)}".`, ref);
  }
  const result = v.safeParse(ClientMessage, value);
  if (!result.success) {
    const issue = result.issues[0];
    const path = issue.path?.map((p) => String(p.key)).join('.') || 'message';
    return fail('bad-message', `Invalid "${type}" message: ${echoed(path)}: ${echoed(issue.message)}`, ref);
  }
  const message = result.output;
  if (message.type === 'join') {
    if (message.v !== PROTOCOL_VERSION) {
      return fail(
        'unsupported-version',
        `This server speaks protocol version ${PROTOCOL_VERSION}, not ${echoed(String(message.v))}.`,
        ref,
      );
    }
    if (!isRoomId(message.roomId)) return fail('bad-room-id', 'A room id is 22 base64url characters.', ref);
  }
  return { ok: true, message };
}

/** Validates a raw server → client message (the client trusts nothing it has not checked). */
export function parseServerMessage(raw: string): ServerMessage | undefined {
  let value: unknown;
  try {
    value = JSON.parse(raw);
  } catch {
    return undefined;
  }
  const result = v.safeParse(ServerMessage, value);
  return result.success ? result.output : undefined;
}
