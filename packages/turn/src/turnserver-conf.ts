import { isIP, isIPv4 } from 'node:net';
import { isAbsolute } from 'node:path';
import { deniedPeerRanges } from './denied-peers';
import {
  TURN_MAX_SESSION_BYTES_PER_SECOND,
  TURN_SECRET_MAX_LENGTH,
  TURN_SECRET_MIN_LENGTH,
  TURN_SERVER_BYTES_PER_SECOND,
  TURN_STALE_NONCE_SECONDS,
  TURN_TOTAL_QUOTA,
  TURN_USER_QUOTA,
} from './turn-limits';

/** Where coturn runs: `production` on the EC2 host; `local` on loopback for `pnpm dev` and tests. */
export type TurnProfile = 'production' | 'local';

/** TURN over TLS: a certificate and key readable by coturn, and the port to listen on. */
export interface TurnTlsOptions {
  certFile: string;
  keyFile: string;
  port: number;
}

/** Everything that varies between coturn installations; all else in the configuration is fixed policy. */
export interface TurnServerConfigOptions {
  profile: TurnProfile;
  /** TURN REST shared secret (`use-auth-secret` + `static-auth-secret`), shared with the signaling Lambdas. */
  secret: string;
  realm: string;
  /** Local default: 127.0.0.1. Production default: the private address of `externalIp`. */
  listeningIp?: string;
  listeningPort: number;
  /** Local default: 127.0.0.1. Production default: the private address of `externalIp`. */
  relayIp?: string;
  /** Production only, required there: the 1:1 NAT mapping EC2 applies (`external-ip=PUBLIC/PRIVATE`). */
  externalIp?: { public: string; private: string };
  minPort: number;
  maxPort: number;
  tls?: TurnTlsOptions;
  /** coturn's defaults are under /var; local runs need temp paths. */
  pidFile?: string;
  userDbFile?: string;
  /** Default `stdout` (systemd's journal in production, the launcher's log buffer locally). */
  logFile?: string;
}

/** A configuration value that cannot work; the message says which and why. */
export class TurnConfigError extends Error {
  override name = 'TurnConfigError';
}

/** Characters allowed in the TURN secret: safe inside a config line, a shell word and an HMAC key alike. */
export const TURN_SECRET_PATTERN = new RegExp(
  `^[A-Za-z0-9._~+/=-]{${TURN_SECRET_MIN_LENGTH},${TURN_SECRET_MAX_LENGTH}}$`,
);

/** A realm is a DNS-name-like token. */
const REALM_PATTERN = /^[A-Za-z0-9][A-Za-z0-9.-]{0,252}$/;

/** Renders the complete turnserver.conf for a profile. Throws {@link TurnConfigError} on any unusable value. */
export function renderTurnserverConf(options: TurnServerConfigOptions): string {
  checkSecret(options.secret);
  return formatTurnserverConf(resolveAddresses(options));
}

/** The addresses coturn binds and announces, after profile defaults are applied. */
export interface ResolvedTurnServerConfig extends TurnServerConfigOptions {
  listeningIp: string;
  relayIp: string;
}

/**
 * Checks everything except the secret and applies the per-profile address defaults. Exposed for the EC2 user-data,
 * which renders the same text with markers in place of the secret and the addresses it learns at boot.
 */
export function resolveAddresses(options: TurnServerConfigOptions, checkIps = true): ResolvedTurnServerConfig {
  if (options.profile !== 'production' && options.profile !== 'local') {
    throw new TurnConfigError(`profile must be "production" or "local", not ${JSON.stringify(options.profile)}`);
  }
  checkRealm(options.realm);
  checkPort('listeningPort', options.listeningPort);
  checkPort('minPort', options.minPort);
  checkPort('maxPort', options.maxPort);
  if (options.minPort > options.maxPort) {
    throw new TurnConfigError(`minPort (${options.minPort}) must not exceed maxPort (${options.maxPort})`);
  }
  if (options.listeningPort >= options.minPort && options.listeningPort <= options.maxPort) {
    throw new TurnConfigError(`listeningPort ${options.listeningPort} lies inside the relay range`);
  }
  if (options.tls) {
    checkPort('tls.port', options.tls.port);
    checkPath('tls.certFile', options.tls.certFile);
    checkPath('tls.keyFile', options.tls.keyFile);
    if (options.tls.port === options.listeningPort) {
      throw new TurnConfigError('tls.port must differ from listeningPort');
    }
  }
  for (const key of ['pidFile', 'userDbFile'] as const) {
    const path = options[key];
    if (path !== undefined) checkPath(key, path);
  }
  if (options.logFile !== undefined && options.logFile !== 'stdout') checkPath('logFile', options.logFile);

  if (options.profile === 'local') {
    if (options.externalIp) throw new TurnConfigError('the local profile runs on loopback and takes no externalIp');
    const listeningIp = options.listeningIp ?? '127.0.0.1';
    const relayIp = options.relayIp ?? '127.0.0.1';
    for (const [name, ip] of [
      ['listeningIp', listeningIp],
      ['relayIp', relayIp],
    ] as const) {
      if (!ip.startsWith('127.'))
        throw new TurnConfigError(`local profile: ${name} must be a 127.x address, not ${ip}`);
    }
    return { ...options, listeningIp, relayIp };
  }

  const { externalIp } = options;
  if (!externalIp) {
    throw new TurnConfigError('production needs externalIp { public, private }: the EC2 1:1 NAT mapping');
  }
  const listeningIp = options.listeningIp ?? externalIp.private;
  const relayIp = options.relayIp ?? externalIp.private;
  if (checkIps) {
    for (const [name, ip] of [
      ['externalIp.public', externalIp.public],
      ['externalIp.private', externalIp.private],
      ['relayIp', relayIp],
    ] as const) {
      if (!isIPv4(ip)) throw new TurnConfigError(`${name} must be an IPv4 address, not ${JSON.stringify(ip)}`);
    }
    if (isIP(listeningIp) === 0) {
      throw new TurnConfigError(`listeningIp must be an IP address, not ${JSON.stringify(listeningIp)}`);
    }
  }
  return { ...options, listeningIp, relayIp };
}

/** Formats checked options. Keep every policy line here, so both profiles and the user-data share it. */
export function formatTurnserverConf(config: ResolvedTurnServerConfig): string {
  const local = config.profile === 'local';
  const lines = [
    '# coturn configuration for Parley, generated by @parley/turn. Change the generator, not this file.',
    `# Profile: ${config.profile}`,
    '',
    '# Where to listen and relay',
    `listening-ip=${config.listeningIp}`,
    `listening-port=${config.listeningPort}`,
    `relay-ip=${config.relayIp}`,
    ...(config.externalIp ? [`external-ip=${config.externalIp.public}/${config.externalIp.private}`] : []),
    `min-port=${config.minPort}`,
    `max-port=${config.maxPort}`,
    // Browsers relay over UDP; TCP relay (RFC 6062) would let a credential open TCP connections to arbitrary peers.
    'no-tcp-relay',
    ...tlsLines(config.tls),
    '',
    '# Authentication: short-lived TURN REST credentials issued by the signaling service',
    'use-auth-secret',
    `static-auth-secret=${config.secret}`,
    `realm=${config.realm}`,
    'fingerprint',
    `stale-nonce=${TURN_STALE_NONCE_SECONDS}`,
    '',
    '# Abuse limits',
    `user-quota=${TURN_USER_QUOTA}`,
    `total-quota=${TURN_TOTAL_QUOTA}`,
    `max-bps=${TURN_MAX_SESSION_BYTES_PER_SECOND}`,
    `bps-capacity=${TURN_SERVER_BYTES_PER_SECOND}`,
    '',
    '# Attack surface: no admin CLI, no version banner, no amplification-prone STUN extras',
    'no-cli',
    'no-software-attribute',
    'no-rfc5780',
    'no-stun-backward-compatibility',
    'response-origin-only-with-rfc5780',
    '',
    '# Process',
    `log-file=${config.logFile ?? 'stdout'}`,
    'simple-log',
    ...(config.pidFile ? [`pidfile=${config.pidFile}`] : []),
    ...(config.userDbFile ? [`userdb=${config.userDbFile}`] : []),
    '',
    '# Peers the relay may never reach',
    'no-multicast-peers',
    // Browsers on one machine reach each other only over loopback; never in production (FACTS: needs no-cli).
    ...(local ? ['allow-loopback-peers'] : []),
    // The relay's own addresses stay allowed on purpose: when both browsers are relayed, each one's peer is the
    // other's relay address on this very host. (coturn 4.6.1 ignores a deny line for its own address anyway.)
    ...deniedPeerRanges({ allowLoopback: local }).map((range) => `denied-peer-ip=${range}`),
  ];
  return `${lines.join('\n')}\n`;
}

function tlsLines(tls: TurnTlsOptions | undefined): string[] {
  // DTLS-TURN is unused by browsers; without a certificate, TLS is off too.
  if (!tls) return ['no-tls', 'no-dtls'];
  return [
    `tls-listening-port=${tls.port}`,
    `cert=${tls.certFile}`,
    `pkey=${tls.keyFile}`,
    'no-dtls',
    'no-tlsv1',
    'no-tlsv1_1',
  ];
}

function checkSecret(secret: string): void {
  if (!TURN_SECRET_PATTERN.test(secret)) {
    throw new TurnConfigError(
      `the TURN secret must be ${TURN_SECRET_MIN_LENGTH}-${TURN_SECRET_MAX_LENGTH} characters of A-Z a-z 0-9 . _ ~ + / = -`,
    );
  }
}

/** Throws unless `realm` is a DNS-name-like token. */
export function checkRealm(realm: string): void {
  if (!REALM_PATTERN.test(realm)) {
    throw new TurnConfigError(`realm must be letters, digits, dots and dashes, not ${JSON.stringify(realm)}`);
  }
}

function checkPort(name: string, port: number): void {
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    throw new TurnConfigError(`${name} must be an integer port from 1 to 65535, not ${port}`);
  }
}

function checkPath(name: string, path: string): void {
  if (!isAbsolute(path) || /[\s#]/.test(path)) {
    throw new TurnConfigError(`${name} must be an absolute path without spaces or '#', not ${JSON.stringify(path)}`);
  }
}
