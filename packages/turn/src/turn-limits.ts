/**
 * Every number in the coturn configuration, named once. The EC2 host, the local runtime and the CDK stack (security
 * group ports) import these, so the ports we open and the ports coturn uses cannot drift apart.
 */

/** STUN/TURN over UDP and TCP (RFC 8489 / RFC 8656 default port). */
export const TURN_LISTENING_PORT = 3478;

/** TURN over TLS when a certificate is configured (RFC 8656 default; 443 also works through strict firewalls). */
export const TURN_TLS_LISTENING_PORT = 5349;

/**
 * TURN over plain TCP on HTTPS's port, for networks that let nothing else out (hotels, guest Wi-Fi, offices that
 * allow only web traffic). The TURN host redirects it to {@link TURN_LISTENING_PORT} in its firewall, so coturn keeps
 * running unprivileged; a deployment that serves TURN over TLS on 443 uses the port for that instead.
 */
export const TURN_TCP_FALLBACK_PORT = 443;

/** Lowest UDP port of the relay range: the IANA dynamic/private range, coturn's own default. */
export const TURN_RELAY_MIN_PORT = 49152;

/** Highest UDP port of the relay range. */
export const TURN_RELAY_MAX_PORT = 65535;

/**
 * Concurrent allocations per TURN username. One member holds one username per grant; a browser allocates once per
 * TURN URL (UDP, TCP, TCP on 443, TLS: at most 4) and again on each ICE restart while the old allocation drains
 * (8), so 12 leaves room for honest use and anything beyond it is abuse of a leaked credential.
 */
export const TURN_USER_QUOTA = 12;

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

/**
 * Concurrent allocations on the whole server: bounds memory and relay ports however many credentials leak.
 * coturn 4.6 reserves `max-bps` for every allocation against `bps-capacity` and refuses the next one with 486 once
 * the capacity is spoken for (measured: the 101st), so the real ceiling is capacity ÷ per-session cap = 100. We write
 * that number rather than a larger one coturn would never reach. Each caller holds one allocation per TURN URL
 * (UDP, TCP, TCP on 443, TLS when set), so this is about 33 callers at once on a default deploy.
 */
export const TURN_TOTAL_QUOTA = TURN_SERVER_BYTES_PER_SECOND / TURN_MAX_SESSION_BYTES_PER_SECOND;

/** Lifetime of a nonce before coturn demands a fresh one (438 Stale Nonce); limits replay of captured requests. */
export const TURN_STALE_NONCE_SECONDS = 600;

/** The TURN realm when none is configured; with REST credentials it only has to match on both sides. */
export const TURN_DEFAULT_REALM = 'parley';

/** Shortest TURN REST shared secret we accept: HMAC-SHA1 keys shorter than this are guessable offline. */
export const TURN_SECRET_MIN_LENGTH = 24;

/** Longest TURN REST shared secret we accept: a generous bound that keeps the config line and user-data sane. */
export const TURN_SECRET_MAX_LENGTH = 256;

/*
 * Per-client-address limits in the TURN host's firewall (nftables, before coturn sees a packet). Each is sized for
 * several honest callers behind one NAT (a household, a small office) and cuts one address that floods. An address is
 * an IPv4 address or an IPv6 /64 (one subscriber's network). Spoofed-source floods are beyond any per-address limit.
 */

/**
 * UDP packets per second from one address to the TURN port. A relayed caller sends at most `max-bps` (5 Mbit/s),
 * about 570 packets/s of 1,100-byte video plus 50/s of audio and RTCP; four such callers behind one NAT stay under
 * 2,500. A flood from one address is held to that, so it can neither starve coturn's CPU nor anyone else's packets.
 */
export const TURN_FIREWALL_UDP_PACKETS_PER_SECOND = 2_500;

/** UDP packets one address may send at once before the rate applies (the bucket's size): two seconds' worth. */
export const TURN_FIREWALL_UDP_PACKET_BURST = 5_000;

/**
 * New UDP flows (source ports) per second from one address to the TURN port. A browser opens one socket per local
 * network interface when it gathers candidates, and again on an ICE restart: a few per caller. Many source ports
 * from one address is a scan or an attempt to fill coturn's session and the kernel's connection tables.
 */
export const TURN_FIREWALL_UDP_NEW_FLOWS_PER_SECOND = 20;

/** New UDP flows one address may open at once before the rate applies: several callers gathering together. */
export const TURN_FIREWALL_UDP_NEW_FLOW_BURST = 60;

/**
 * New TCP connections per minute from one address to the TURN ports. A caller opens one per TCP TURN URL (the TURN
 * port, 443, TLS) each time it gathers: about 3, and 3 more on an ICE restart. 60 a minute sustained covers a room of
 * people rejoining; each refused SYN costs a reset, not an accept, a TLS handshake and a coturn session.
 */
export const TURN_FIREWALL_TCP_NEW_CONNECTIONS_PER_MINUTE = 60;

/** New TCP connections one address may open at once before the rate applies: a dozen callers gathering together. */
export const TURN_FIREWALL_TCP_NEW_CONNECTION_BURST = 40;

/**
 * Open TCP connections from one address to the TURN ports. A caller holds at most 3 (one per TCP TURN URL), twice
 * that while an ICE restart overlaps; five such callers behind one NAT is 30. Each connection pins a coturn socket
 * and its buffers: with 32 per address, using up coturn's open files takes two thousand addresses, not one.
 */
export const TURN_FIREWALL_TCP_CONNECTIONS_PER_ADDRESS = 32;

/**
 * Client addresses each per-address table tracks at once (idle entries expire after a minute): bounds the kernel
 * memory a flood from many addresses can take. When a table is full, nftables lets new addresses pass unlimited
 * rather than locking callers out; coturn's own quotas still apply to them.
 */
export const TURN_FIREWALL_TRACKED_ADDRESSES = 65_536;

/**
 * Seconds after which a quiet address's rate state is forgotten. No shorter than any bucket takes to refill from
 * empty (the longest: 40 new TCP connections at 60 a minute, 40 s), so forgetting grants nothing waiting would not.
 */
export const TURN_FIREWALL_ADDRESS_IDLE_SECONDS = 60;
