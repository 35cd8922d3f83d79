import type { IceServer } from '@parley/protocol';
import { type CallOptions, iceConfiguration, withoutTcpTurn } from './call-options';

/*
 * The ICE servers a call may use: the STUN/TURN servers and short-lived TURN credentials the signaling server grants
 * (with `joined`, a parked offer, or `turn-credentials`), asked for again before they expire, and turned into each
 * connection's configuration under the person's options (`?relay`, `?tcp`).
 */

/** Refresh TURN credentials this long before they expire. */
export const TURN_REFRESH_MARGIN_MS = 10 * 60_000;
/** Never ask for TURN credentials more often than this, whatever expiry the server gives. */
export const MIN_TURN_REFRESH_MS = 30_000;

/** The call's current ICE servers, refreshed before their credentials expire. */
export class IceServers {
  #servers: IceServer[] = [];
  #refreshTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #options: CallOptions;
  readonly #refresh: () => void;

  /** `refresh` asks the server for new credentials (they come back through `update`). */
  constructor(options: CallOptions, refresh: () => void) {
    this.#options = options;
    this.#refresh = refresh;
  }

  /** New servers and credentials; with `expiresAt` (epoch ms), a refresh is planned before then. */
  update(servers: IceServer[], expiresAt?: number): void {
    this.#servers = servers;
    if (expiresAt === undefined) return;
    clearTimeout(this.#refreshTimer);
    const refreshIn = Math.max(MIN_TURN_REFRESH_MS, expiresAt - Date.now() - TURN_REFRESH_MARGIN_MS);
    this.#refreshTimer = setTimeout(this.#refresh, refreshIn);
  }

  /** A connection's configuration: these servers under the person's options. */
  configuration(): RTCConfiguration {
    return iceConfiguration(this.#servers, this.#options);
  }

  /** The same without TCP TURN URLs (relay steering, relay-preference.ts). */
  udpOnlyConfiguration(): RTCConfiguration {
    return iceConfiguration(withoutTcpTurn(this.#servers), this.#options);
  }

  /** Whether a connection may use a UDP TURN URL at all (`?tcp` leaves none), not whether the server granted one. */
  hasUdpTurn(): boolean {
    const allowed = this.configuration().iceServers as IceServer[];
    return withoutTcpTurn(allowed).some((server) => server.urls.some((url) => url.startsWith('turn:')));
  }

  /** The call is over: no more refreshes. */
  stop(): void {
    clearTimeout(this.#refreshTimer);
  }
}
