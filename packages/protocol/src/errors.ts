/**
 * Every error code the server can send. Each one is documented in docs/protocol.md; the client maps them to
 * plain-language messages.
 */
export const ERROR_CODES = [
  /** The message is not valid JSON. */
  'bad-json',
  /** Valid JSON, but not a message of this protocol (wrong or missing fields, wrong types). */
  'bad-message',
  /** The `type` is not one the server understands. */
  'unknown-type',
  /** The message is larger than MAX_MESSAGE_BYTES. */
  'too-large',
  /** The room id is not 22 base64url characters. */
  'bad-room-id',
  /** The client speaks another protocol version. */
  'unsupported-version',
  /** The request needs a seat, and this connection has none (join first). */
  'not-joined',
  /** This connection already holds a seat (leave first). */
  'already-joined',
  /** Both seats of the room are taken. */
  'room-full',
  /** The invitation (ticket) this connection was opened with is for another room. */
  'wrong-room',
  /** Someone holds a seat in this call with the same invitation link (a guest link admits one person). */
  'ticket-in-use',
  /** The addressed member is not in your room (or is you). */
  'unknown-peer',
  /** The addressed member is reconnecting; try again after `peer-resumed`. */
  'peer-unavailable',
  /** Something failed on the server; the request changed nothing and can be retried. */
  'internal',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];
