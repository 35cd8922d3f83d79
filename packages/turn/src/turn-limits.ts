/**
 * Every number in the coturn configuration, named once. The EC2 host, the local runtime and the CDK stack (security
 * group ports) import these, so the ports we open and the ports coturn uses cannot drift apart.
 */

/** STUN/TURN over UDP and TCP (RFC 8489 / RFC 8656 default port). */
export const TURN_LISTENING_PORT = 3478;

/** TURN over TLS when a certificate is configured (RFC 8656 default; 443 also works through strict firewalls). */
export const TURN_TLS_LISTENING_PORT = 5349;

/** Lowest UDP port of the relay range: the IANA dynamic/private range, coturn's own default. */
export const TURN_RELAY_MIN_PORT = 49152;

/** Highest UDP port of the relay range. */
export const TURN_RELAY_MAX_PORT = 65535;

/**
 * Concurrent allocations per TURN username. One member holds one username per grant; a browser allocates once per
 * TURN URL (UDP, TCP, TLS) and again on each ICE restart while the old allocation drains, so a handful is honest
 * use and anything beyond it is abuse of a leaked credential.
 */
export const TURN_USER_QUOTA = 12;

/** Concurrent allocations on the whole server: bounds memory and relay ports however many credentials leak. */
export const TURN_TOTAL_QUOTA = 400;

/**
 * Bandwidth cap per TURN session, in bytes per second, each direction separately (coturn's `max-bps`).
 * 625,000 B/s = 5 Mbit/s: well above a 1080p WebRTC video call (~2.5 Mbit/s), far below a flood.
 */
export const TURN_MAX_SESSION_BYTES_PER_SECOND = 625_000;

/**
 * Bandwidth the whole server hands out, in bytes per second, each direction separately (coturn's `bps-capacity`).
 * 62,500,000 B/s = 500 Mbit/s: within what small instances sustain, and it bounds the owner's data-transfer bill.
 */
export const TURN_SERVER_BYTES_PER_SECOND = 62_500_000;

/** Lifetime of a nonce before coturn demands a fresh one (438 Stale Nonce); limits replay of captured requests. */
export const TURN_STALE_NONCE_SECONDS = 600;

/** The TURN realm when none is configured; with REST credentials it only has to match on both sides. */
export const TURN_DEFAULT_REALM = 'parley';

/** Shortest TURN REST shared secret we accept: HMAC-SHA1 keys shorter than this are guessable offline. */
export const TURN_SECRET_MIN_LENGTH = 24;

/** Longest TURN REST shared secret we accept: a generous bound that keeps the config line and user-data sane. */
export const TURN_SECRET_MAX_LENGTH = 256;
