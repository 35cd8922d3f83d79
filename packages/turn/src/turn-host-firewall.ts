import {
  TURN_FIREWALL_ADDRESS_IDLE_SECONDS,
  TURN_FIREWALL_TCP_CONNECTIONS_PER_ADDRESS,
  TURN_FIREWALL_TCP_NEW_CONNECTION_BURST,
  TURN_FIREWALL_TCP_NEW_CONNECTIONS_PER_MINUTE,
  TURN_FIREWALL_TRACKED_ADDRESSES,
  TURN_FIREWALL_UDP_NEW_FLOW_BURST,
  TURN_FIREWALL_UDP_NEW_FLOWS_PER_SECOND,
  TURN_FIREWALL_UDP_PACKET_BURST,
  TURN_FIREWALL_UDP_PACKETS_PER_SECOND,
  TURN_TCP_FALLBACK_PORT,
} from './turn-limits';
import { TurnConfigError } from './turnserver-conf';

/**
 * The TURN host's own firewall, as an nftables ruleset. The security group decides which ports are open at all; this
 * adds what a security group cannot: per-client-address limits on the TURN ports, TURN over TCP on 443 without
 * running coturn privileged, and a wall between coturn's user and the instance metadata service (which hands out the
 * instance role's credentials), so a relay that the deny list somehow let through still cannot reach it.
 */

/** The nftables table the TURN host's rules live in; loading the ruleset replaces only this table. */
export const TURN_HOST_FIREWALL_TABLE = 'parley_turn';

/**
 * The EC2 link-local services: instance metadata (169.254.169.254, fd00:ec2::254), Amazon DNS and Time Sync.
 * coturn needs none of them (it resolves names through the local resolver, which runs as another user).
 */
export const EC2_LINK_LOCAL_SERVICE_BLOCKS = { ipv4: '169.254.0.0/16', ipv6: 'fd00:ec2::/32' } as const;

/** An IPv6 client is counted by its /64: one subscriber's network, which can hold any number of addresses. */
const IPV6_CLIENT_PREFIX_MASK = 'ffff:ffff:ffff:ffff::';

/** What varies between TURN hosts; every limit is fixed policy from turn-limits.ts. */
export interface TurnHostFirewallOptions {
  /** coturn's STUN/TURN port (UDP and TCP). */
  listeningPort: number;
  /** coturn's TURN-over-TLS port, when TLS is served. */
  tlsPort?: number;
  /** A TCP port redirected to `listeningPort` (see {@link turnTcpFallbackPort}), when there is one. */
  tcpFallbackPort?: number;
  /** The system user coturn runs as (Debian and Ubuntu: `turnserver`); it may not reach the metadata service. */
  turnUser: string;
}

/**
 * The port TURN over plain TCP is also served on, or undefined when TURN over TLS already uses it. One decision for
 * the firewall redirect, the security group and the TURN URLs handed to callers.
 */
export function turnTcpFallbackPort(tls: { port: number } | undefined): number | undefined {
  return tls?.port === TURN_TCP_FALLBACK_PORT ? undefined : TURN_TCP_FALLBACK_PORT;
}

/**
 * The plain `turn:` URLs of a TURN server at `host:port` (UDP and TCP), and TURN over TCP on `tcpFallbackPort` when
 * that is served too (networks that let only web ports out). One shape for the deployed stack and the local system.
 */
export function plainTurnUrls(options: { host: string; port: number; tcpFallbackPort?: number }): string[] {
  const { host, port, tcpFallbackPort } = options;
  return [
    `turn:${host}:${port}?transport=udp`,
    `turn:${host}:${port}?transport=tcp`,
    ...(tcpFallbackPort === undefined ? [] : [`turn:${host}:${tcpFallbackPort}?transport=tcp`]),
  ];
}

/**
 * The nftables `nat` chain that makes coturn answer TURN over TCP on `fallbackPort` too: connections to it are
 * redirected to `listeningPort`, where coturn listens unprivileged. Exported so a network lab can reuse it.
 */
export function tcpFallbackRedirectChain(options: { fallbackPort: number; listeningPort: number }): string[] {
  checkPort('fallbackPort', options.fallbackPort);
  checkPort('listeningPort', options.listeningPort);
  if (options.fallbackPort === options.listeningPort) {
    throw new TurnConfigError('the TCP fallback port must differ from the listening port');
  }
  return [
    'chain tcp_fallback {',
    '  type nat hook prerouting priority dstnat; policy accept;',
    `  tcp dport ${options.fallbackPort} redirect to :${options.listeningPort} comment "TURN over TCP on ${options.fallbackPort}"`,
    '}',
  ];
}

/** A complete ruleset holding only the TCP fallback redirect, in a table of its own (for a lab or a test host). */
export function renderTcpFallbackRedirect(options: {
  fallbackPort: number;
  listeningPort: number;
  table?: string;
}): string {
  return renderTable(options.table ?? `${TURN_HOST_FIREWALL_TABLE}_tcp_fallback`, tcpFallbackRedirectChain(options));
}

/** Renders the TURN host's nftables ruleset (`nft -f`); loading it again replaces the previous one atomically. */
export function renderTurnHostFirewall(options: TurnHostFirewallOptions): string {
  checkPort('listeningPort', options.listeningPort);
  if (options.tlsPort !== undefined) checkPort('tlsPort', options.tlsPort);
  if (!/^[a-z_][a-z0-9_-]{0,31}$/.test(options.turnUser)) {
    throw new TurnConfigError(`turnUser must be a system user name, not ${JSON.stringify(options.turnUser)}`);
  }
  const tcpPorts = portSet([options.listeningPort, ...(options.tlsPort === undefined ? [] : [options.tlsPort])]);
  const udpPort = options.listeningPort;
  const sets: string[] = [];
  const limits: string[] = [];
  for (const family of FAMILIES) {
    const key = family.keyOf;
    const set = (name: string, timeout: boolean) => {
      const flags = timeout
        ? `flags dynamic,timeout; timeout ${TURN_FIREWALL_ADDRESS_IDLE_SECONDS}s;`
        : 'flags dynamic;';
      sets.push(
        `set ${name}_${family.suffix} {`,
        `  type ${family.type}; size ${TURN_FIREWALL_TRACKED_ADDRESSES}; ${flags}`,
        '}',
      );
      return `@${name}_${family.suffix}`;
    };
    limits.push(
      `  tcp dport ${tcpPorts} ct state new update ${set('tcp_new', true)} { ${key} limit rate over ` +
        `${TURN_FIREWALL_TCP_NEW_CONNECTIONS_PER_MINUTE}/minute burst ${TURN_FIREWALL_TCP_NEW_CONNECTION_BURST} packets }` +
        ` counter reject with tcp reset comment "new TCP connections per ${family.client}"`,
      // Connection tracking sees the redirected connections under the TURN port, so they count here too.
      `  tcp dport ${tcpPorts} ct state new add ${set('tcp_open', false)} { ${key} ct count over ` +
        `${TURN_FIREWALL_TCP_CONNECTIONS_PER_ADDRESS} } counter reject with tcp reset comment "open TCP connections per ${family.client}"`,
      `  udp dport ${udpPort} ct state new update ${set('udp_new', true)} { ${key} limit rate over ` +
        `${TURN_FIREWALL_UDP_NEW_FLOWS_PER_SECOND}/second burst ${TURN_FIREWALL_UDP_NEW_FLOW_BURST} packets }` +
        ` counter drop comment "new UDP flows per ${family.client}"`,
      `  udp dport ${udpPort} update ${set('udp_packets', true)} { ${key} limit rate over ` +
        `${TURN_FIREWALL_UDP_PACKETS_PER_SECOND}/second burst ${TURN_FIREWALL_UDP_PACKET_BURST} packets }` +
        ` counter drop comment "UDP packets per ${family.client}"`,
    );
  }
  const body = [
    ...sets,
    'chain client_limits {',
    '  type filter hook input priority filter; policy accept;',
    ...limits,
    '}',
    'chain turn_user_egress {',
    '  type filter hook output priority filter; policy accept;',
    // Rejected rather than dropped: the caller (coturn, or anything else running as its user) fails at once.
    `  meta skuid "${options.turnUser}" ip daddr ${EC2_LINK_LOCAL_SERVICE_BLOCKS.ipv4} counter reject with icmpx admin-prohibited comment "no instance metadata for coturn"`,
    `  meta skuid "${options.turnUser}" ip6 daddr ${EC2_LINK_LOCAL_SERVICE_BLOCKS.ipv6} counter reject with icmpx admin-prohibited comment "no instance metadata for coturn"`,
    '}',
    ...(options.tcpFallbackPort === undefined
      ? []
      : tcpFallbackRedirectChain({ fallbackPort: options.tcpFallbackPort, listeningPort: options.listeningPort })),
  ];
  return renderTable(TURN_HOST_FIREWALL_TABLE, body);
}

const FAMILIES = [
  { suffix: 'v4', type: 'ipv4_addr', keyOf: 'ip saddr', client: 'IPv4 address' },
  { suffix: 'v6', type: 'ipv6_addr', keyOf: `ip6 saddr and ${IPV6_CLIENT_PREFIX_MASK}`, client: 'IPv6 /64' },
] as const;

/**
 * One table, declared, deleted and declared again in one `nft -f` transaction: loading it twice replaces the rules
 * (and resets the counters) instead of adding a second copy, and never touches other tables (ufw, Docker).
 */
function renderTable(name: string, body: string[]): string {
  return [
    '#!/usr/sbin/nft -f',
    '# Generated by @parley/turn. Change the generator, not this file.',
    `table inet ${name}`,
    `delete table inet ${name}`,
    `table inet ${name} {`,
    ...body.map((line) => `  ${line}`),
    '}',
    '',
  ].join('\n');
}

function portSet(ports: number[]): string {
  const unique = [...new Set(ports)];
  return unique.length === 1 ? String(unique[0]) : `{ ${unique.join(', ')} }`;
}

function checkPort(name: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TurnConfigError(`${name} must be an integer port from 1 to 65535, not ${port}`);
  }
}
