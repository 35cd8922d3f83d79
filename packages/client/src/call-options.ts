import type { IceServer } from '@parley/protocol';

/*
 * Diagnostics from the page URL: `?relay` forces every packet through TURN, `?tcp` also forces TURN over TCP (to
 * test networks that block UDP), `?debug` shows the signaling log. The room id stays in the fragment, never here.
 */

export interface CallOptions {
  forceRelay: boolean;
  tcpOnly: boolean;
  debug: boolean;
}

/** Reads the diagnostic options from a query string such as `?relay&debug`. */
export function readCallOptions(search: string): CallOptions {
  const params = new URLSearchParams(search);
  const tcpOnly = params.has('tcp');
  return { forceRelay: tcpOnly || params.has('relay'), tcpOnly, debug: params.has('debug') };
}

/** True for a TURN URL that is reached over TCP (or TLS). */
function isTcpTurnUrl(url: string): boolean {
  return url.startsWith('turns:') || (url.startsWith('turn:') && /[?&]transport=tcp\b/.test(url));
}

/** The ICE servers without their TCP/TLS TURN URLs (see relay-preference.ts). */
export function withoutTcpTurn(servers: IceServer[]): IceServer[] {
  return servers.map((s) => ({ ...s, urls: s.urls.filter((url) => !isTcpTurnUrl(url)) })).filter((s) => s.urls.length);
}

/** The RTCPeerConnection configuration for the ICE servers the server granted and the chosen options. */
export function iceConfiguration(servers: IceServer[], options: CallOptions): RTCConfiguration {
  const iceServers = options.tcpOnly
    ? servers.map((s) => ({ ...s, urls: s.urls.filter(isTcpTurnUrl) })).filter((s) => s.urls.length > 0)
    : servers;
  return {
    iceServers,
    iceTransportPolicy: options.forceRelay ? 'relay' : 'all',
    bundlePolicy: 'max-bundle',
    rtcpMuxPolicy: 'require',
  };
}
