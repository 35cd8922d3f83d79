import { createSocket } from 'node:dgram';
import { createServer } from 'node:net';
import {
  type CoturnProcess,
  isCoturnInstalled,
  plainTurnUrls,
  startCoturn,
  TURN_DEFAULT_REALM,
  TURN_RELAY_MAX_PORT,
  TURN_RELAY_MIN_PORT,
} from '@parley/turn';

/** How many free ports to try before giving up on finding one below the relay range. */
const FREE_PORT_ATTEMPTS = 50;

/** The hint printed when coturn is missing. */
export const COTURN_INSTALL_HINT = 'coturn is not installed, so calls run without TURN: apt-get install coturn';

/** A running local coturn and the URLs clients use to reach it. */
export interface LocalTurn {
  port: number;
  urls: string[];
  process: CoturnProcess;
}

function tcpPortFree(host: string, port: number): Promise<number | undefined> {
  return new Promise((resolve) => {
    const server = createServer();
    server.once('error', () => resolve(undefined));
    server.listen(port, host, () => {
      const address = server.address();
      server.close(() => resolve(typeof address === 'object' && address ? address.port : undefined));
    });
  });
}

function udpPortFree(host: string, port: number): Promise<boolean> {
  return new Promise((resolve) => {
    const socket = createSocket('udp4');
    socket.once('error', () => resolve(false));
    socket.bind(port, host, () => socket.close(() => resolve(true)));
  });
}

/** A port free for both TCP and UDP and below the relay range (coturn refuses a listening port inside it). */
async function freeTurnPort(host: string): Promise<number> {
  for (let attempt = 0; attempt < FREE_PORT_ATTEMPTS; attempt++) {
    const port = await tcpPortFree(host, 0);
    if (port !== undefined && port < TURN_RELAY_MIN_PORT && (await udpPortFree(host, port))) return port;
  }
  throw new Error(`No free port below ${TURN_RELAY_MIN_PORT} for coturn after ${FREE_PORT_ATTEMPTS} attempts`);
}

/** Whether `host` is a loopback address (the only place the permissive `local` coturn profile may listen). */
export function isLoopbackHost(host: string): boolean {
  return host.startsWith('127.') || host === '::1' || host === 'localhost';
}

/**
 * Starts real coturn with the shared configuration, or answers undefined (after logging the install hint) when
 * coturn is not installed. `port` 0 picks a free one. On loopback it runs the `local` profile (which lets browsers on
 * one machine relay to each other over loopback); on any other address — a LAN, or the public segment of the test
 * network lab — it runs the production profile with that address as its own public one: whoever can reach it then
 * meets the same peer deny list as on AWS, and no loopback peers.
 */
export async function startLocalTurn(options: {
  host: string;
  port: number;
  secret: string;
  /**
   * Also advertise TURN over TCP on this port, as a default deploy does on 443. Something else must forward that
   * port to coturn's (on AWS the TURN host's nftables redirect; in the network lab the lab applies the same rule).
   */
  tcpFallbackPort?: number;
  log: (line: string) => void;
}): Promise<LocalTurn | undefined> {
  if (!isCoturnInstalled()) {
    options.log(COTURN_INSTALL_HINT);
    return undefined;
  }
  const port = options.port === 0 ? await freeTurnPort(options.host) : options.port;
  const loopback = isLoopbackHost(options.host);
  const process = await startCoturn({
    options: {
      profile: loopback ? 'local' : 'production',
      ...(loopback ? {} : { externalIp: { public: options.host, private: options.host } }),
      secret: options.secret,
      realm: TURN_DEFAULT_REALM,
      listeningIp: options.host,
      listeningPort: port,
      minPort: TURN_RELAY_MIN_PORT,
      maxPort: TURN_RELAY_MAX_PORT,
    },
  });
  const urls = plainTurnUrls({
    host: options.host,
    port: process.port,
    ...(options.tcpFallbackPort === undefined ? {} : { tcpFallbackPort: options.tcpFallbackPort }),
  });
  return { port: process.port, urls, process };
}
