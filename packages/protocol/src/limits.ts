/**
 * Every limit of the system, named once. The server, the client, the local runtime and the CDK stack all
 * import these, so "what we deploy" and "what we test" cannot drift apart.
 */

/** Bumped on any incompatible change to the messages in `messages.ts`. */
export const PROTOCOL_VERSION = 1;

/** Parley is 1:1: a room seats exactly two members. */
export const ROOM_CAPACITY = 2;

/** Largest signaling message we accept, in UTF-8 bytes. API Gateway splits frames at 32 KB; one frame is plenty for SDP. */
export const MAX_MESSAGE_BYTES = 32 * 1024;

/** ICE candidates in one `candidates` signal (a browser gathers a handful per path; this is generous). */
export const MAX_BATCHED_CANDIDATES = 32;

/** Request ids are echoed back in replies and errors; they are short and opaque. */
export const MAX_REQUEST_ID_LENGTH = 64;

/** Display names shown to the other side ("Guest" when absent), counted in characters a person sees (graphemes). */
export const MAX_NAME_LENGTH = 40;

/**
 * …and in bytes, so that 40 "characters" stacked with combining marks cannot make a name of kilobytes: 16 bytes per
 * character leaves room for 40 of the longest common emoji (e.g. 👩🏽‍💻, 15 bytes).
 */
export const MAX_NAME_BYTES = MAX_NAME_LENGTH * 16;

/**
 * A parked offer's SDP (see `park`). A seat item is billed per started KB on every write, so a 32 KB offer would make
 * each seat write cost 32 write units; the app's real offers are measured in the README (Security model).
 */
export const MAX_PARKED_OFFER_BYTES = 8 * 1024;

/** Text from a request echoed in an error reply: enough to recognise the input, never an amplifier. */
export const MAX_ECHOED_CHARS = 120;

/** Random bytes in a room id: 128 bits makes it unguessable. */
export const ROOM_ID_BYTES = 16;

/** How often a client pings: well inside API Gateway's 10-minute idle timeout and cheap to keep a seat's lease fresh. */
export const KEEPALIVE_INTERVAL_MS = 45_000;

/**
 * A connected seat stays valid this long after its last sign of life (join, ping, message). `$disconnect` is best
 * effort on AWS, so a seat whose owner vanished silently frees itself when its lease runs out.
 */
export const SEAT_LEASE_SECONDS = 180;

/** After a socket closes, its seat is held this long for the owner to resume it with its resume token. */
export const RESUME_GRACE_SECONDS = 60;

/** Default lifetime of TURN REST credentials: API Gateway's 2-hour connection cap. */
export const TURN_CREDENTIAL_TTL_SECONDS = 2 * 60 * 60;

/** API Gateway's hard cap on a WebSocket connection's lifetime; clients reconnect before it (a name of its own so
 * the browser bundle does not carry the whole limits table). */
export const API_GATEWAY_MAX_CONNECTION_MS = 2 * 60 * 60 * 1000;

/** API Gateway WebSocket limits (AWS service quotas), mirrored by the local stand-in. */
export const API_GATEWAY_LIMITS = {
  /** A single WebSocket frame. */
  frameBytes: 32 * 1024,
  /** A whole message; larger ones close the connection with 1009. */
  messageBytes: 128 * 1024,
  /** Connections with no traffic for this long are closed. */
  idleTimeoutMs: 10 * 60 * 1000,
  /** Hard cap on a connection's lifetime. */
  maxConnectionMs: API_GATEWAY_MAX_CONNECTION_MS,
  /** Integration (Lambda) timeout. */
  integrationTimeoutMs: 29_000,
} as const;

/** Stage throttling defaults for the WebSocket API (requests per second and burst), overridable in CDK config. */
export const DEFAULT_THROTTLE = { rateLimit: 50, burstLimit: 100 } as const;
