import type { IceServer } from '@parley/protocol';

/*
 * "Test my connection" in the lobby: can this browser reach the TURN relay, over UDP and over TCP? Each transport is
 * tried on its own throwaway peer connection that gathers relay candidates only (`iceTransportPolicy: 'relay'`): a
 * relay candidate means the TURN server allocated an address for this browser, which is exactly what a call needs
 * when no direct path exists. Nothing is sent to anyone; the connections are closed (freeing the allocations) as soon
 * as the answer is known.
 */

/** The two ways a browser reaches the relay. TURN over TLS (`turns:`) runs over TCP, so it counts as TCP. */
export type RelayTransport = 'udp' | 'tcp';

export const RELAY_TRANSPORTS: readonly RelayTransport[] = ['udp', 'tcp'];

/** What trying one transport found. */
export type TransportReach =
  /** The relay allocated an address for this browser. */
  | 'reached'
  /** No allocation before gathering ended or the time ran out: the network (or a stopped server) is in the way. */
  | 'not-reached'
  /** The relay answered, with an error (expired credentials, a used-up quota): reachable, yet no allocation. */
  | 'refused'
  /** The deployment offers no TURN URL of this transport. */
  | 'untested';

export type TransportResults = Record<RelayTransport, TransportReach>;

/** The verdict a person sees. */
export type ConnectionVerdict = 'works' | 'tcp-only' | 'blocked' | 'could-not-test';

export interface ConnectionReport {
  verdict: ConnectionVerdict;
  /** One sentence in plain language. */
  title: string;
  /** What it means for a call, and what to do. */
  detail: string;
  results: TransportResults;
}

/** TURN credentials to test with, as the server handed them out (`room.iceServers`, `room.iceExpiresAt`). */
export interface TestGrant {
  iceServers: IceServer[];
  /** When the credentials stop working (epoch ms). */
  iceExpiresAt: number;
}

/**
 * How long one transport may take. A reachable relay allocates within two round trips (the first Allocate is always
 * answered 401 with a nonce), plus a TCP handshake for TCP: well under a second even across continents on a slow
 * mobile link. An unreachable one is never answered: browsers retransmit the Allocate for ~30–40 s before giving up,
 * far longer than anyone waits on a button, so the test calls it "not reached" after this.
 */
export const TRANSPORT_PROBE_TIMEOUT_MS = 5_000;

/**
 * The STUN error codes a TURN server answers with (RFC 8489 §14.8: 300–699). Browsers report other codes for
 * failures of their own: Chromium's 701 means "could not reach the server", which is "not reached", not "refused".
 */
const SERVER_ERROR_CODES = { min: 300, max: 699 };

const TURN_URL = /^(turns?):[^?]+(?:\?transport=([a-z]+))?$/i;

/** Which way a TURN URL reaches the relay (RFC 7065); undefined for STUN or anything else that is not TURN. */
export function relayTransportOf(url: string): RelayTransport | undefined {
  const match = TURN_URL.exec(url.trim());
  if (!match) return undefined;
  const transport = match[2]?.toLowerCase();
  if (transport === 'udp' || transport === 'tcp') return transport;
  if (transport !== undefined) return undefined; // an extension transport this test does not know
  return match[1]?.toLowerCase() === 'turns' ? 'tcp' : 'udp';
}

/** The ICE servers reduced to the TURN URLs of one transport (with their credentials); empty when there are none. */
export function serversFor(iceServers: readonly IceServer[], transport: RelayTransport): IceServer[] {
  return iceServers.flatMap((server) => {
    const urls = server.urls.filter((url) => relayTransportOf(url) === transport);
    return urls.length > 0 ? [{ ...server, urls }] : [];
  });
}

const COULD_NOT_TEST = 'Could not test your connection.';

/** The verdict for what each transport found, in words a non-technical person understands. */
export function describeResults(results: TransportResults): ConnectionReport {
  const { udp, tcp } = results;
  if (udp === 'reached') {
    return {
      verdict: 'works',
      title: 'Calls will work from this network.',
      detail: 'Your browser reached the relay that carries a call whenever a direct connection is not possible.',
      results,
    };
  }
  if (tcp === 'reached') {
    return {
      verdict: 'tcp-only',
      title: 'Calls will work, but only through the slower path.',
      detail:
        'This network lets calls through only over TCP: they may use more data and be less smooth. ' +
        'Another network (your phone’s hotspot, for example) may do better.',
      results,
    };
  }
  if (udp === 'refused' || tcp === 'refused') {
    return {
      verdict: 'could-not-test',
      title: COULD_NOT_TEST,
      detail: 'The relay turned the test away. Reload the page and try again.',
      results,
    };
  }
  if (udp === 'untested' && tcp === 'untested') {
    return {
      verdict: 'could-not-test',
      title: COULD_NOT_TEST,
      detail: 'This Parley has no relay to test.',
      results,
    };
  }
  return {
    verdict: 'blocked',
    title: 'Your network blocks the relay.',
    detail:
      'Calls will work only if the other person’s network allows a direct connection. If a call does not connect, ' +
      'try another network, such as your phone’s hotspot. If no network works, tell whoever runs this Parley.',
    results,
  };
}

/** A report that no transport was tried, with the reason. */
export function couldNotTest(reason: string): ConnectionReport {
  return {
    verdict: 'could-not-test',
    title: COULD_NOT_TEST,
    detail: reason,
    results: { udp: 'untested', tcp: 'untested' },
  };
}

/**
 * Gathers relay candidates through `servers` only, on a throwaway peer connection; settles on the first relay
 * candidate, when gathering ends without one, or after `timeoutMs`.
 */
export async function probeRelay(
  servers: IceServer[],
  timeoutMs = TRANSPORT_PROBE_TIMEOUT_MS,
): Promise<TransportReach> {
  if (servers.length === 0) return 'untested';
  const connection = new RTCPeerConnection({ iceServers: servers, iceTransportPolicy: 'relay' });
  let refused = false;
  const verdict = () => (refused ? 'refused' : 'not-reached');
  try {
    return await new Promise<TransportReach>((resolve, reject) => {
      const timer = setTimeout(() => resolve(verdict()), timeoutMs);
      const settle = (reach: TransportReach) => {
        clearTimeout(timer);
        resolve(reach);
      };
      connection.onicecandidate = ({ candidate }) => {
        if (candidate?.type === 'relay') settle('reached');
        else if (candidate === null) settle(verdict());
      };
      connection.onicecandidateerror = (event) => {
        const { errorCode } = event as RTCPeerConnectionIceErrorEvent;
        if (errorCode >= SERVER_ERROR_CODES.min && errorCode <= SERVER_ERROR_CODES.max) refused = true;
      };
      // A data channel gives the offer something to gather candidates for, without asking for camera or microphone.
      connection.createDataChannel('connection-test');
      connection
        .createOffer()
        .then((offer) => connection.setLocalDescription(offer))
        .catch((error: unknown) => {
          clearTimeout(timer);
          reject(error);
        });
    });
  } finally {
    connection.close();
  }
}

/** Tries both transports at once with the lobby's TURN credentials, and says what that means for a call. */
export async function testConnection(grant: TestGrant, now = Date.now()): Promise<ConnectionReport> {
  if (grant.iceExpiresAt <= now) return couldNotTest('The test’s pass has expired. Reload the page and try again.');
  try {
    const [udp, tcp] = await Promise.all(RELAY_TRANSPORTS.map((t) => probeRelay(serversFor(grant.iceServers, t))));
    return describeResults({ udp: udp ?? 'untested', tcp: tcp ?? 'untested' });
  } catch (error) {
    // The reason is for the console: nothing technical reaches the screen.
    console.warn('connection test failed', error);
    return couldNotTest('Your browser could not run the test. Try again, or try another browser.');
  }
}
