/*
 * TURN over UDP before TURN over TCP. When both kinds of relay candidate work, Chromium nominates whichever relay
 * pair passes its check first and keeps it for the whole call: about one call in seven ended up on TURN/TCP, where
 * every lost packet stalls the ones behind it (head-of-line blocking) and video freezes. TCP is the fallback for
 * networks that block UDP, not a peer of it. So once connected, a relay path over TCP is steered to UDP when this
 * browser holds a working UDP relay candidate: ICE restarts with only the UDP TURN URLs. Media keeps flowing on the
 * old pair until the new one is chosen. Where UDP does not work there is no UDP relay candidate, and nothing changes.
 * Now and then Chromium ends up on a TCP relay with no UDP relay candidate at all although a UDP TURN URL is
 * configured (seen on the side that prepared its answer in the lobby; no candidate error is reported): then ICE
 * restarts once with the same configuration, which gathers again, and the path is watched anew.
 */

/** The stats fields this reads (both Chromium and Firefox report them). */
interface CandidateStat {
  type: string;
  id: string;
  candidateType?: string;
  relayProtocol?: string;
  selectedCandidatePairId?: string;
  localCandidateId?: string;
  selected?: boolean;
  nominated?: boolean;
  state?: string;
}

/** What {@link preferUdpRelay} needs of a peer connection (an interface, so tests can pass a fake). */
export interface RelayPreferencePeer extends EventTarget {
  readonly connectionState: RTCPeerConnectionState;
  getStats(): Promise<RTCStatsReport | Map<string, unknown>>;
  setConfiguration(configuration: RTCConfiguration): void;
  restartIce(): void;
}

/** How the selected path reaches TURN, and whether a UDP relay candidate exists, from a stats report. */
export function relayTransport(report: Iterable<unknown>): { selected?: string; udpRelayGathered: boolean } {
  const stats = new Map<string, CandidateStat>();
  for (const stat of report as Iterable<CandidateStat>) stats.set(stat.id, stat);
  let pairId: string | undefined;
  for (const stat of stats.values()) {
    if (stat.type === 'transport' && stat.selectedCandidatePairId) pairId = stat.selectedCandidatePairId;
  }
  // Firefox has no transport stats; it marks the selected pair itself.
  if (!pairId) for (const stat of stats.values()) if (stat.type === 'candidate-pair' && stat.selected) pairId = stat.id;
  const local = pairId ? stats.get(stats.get(pairId)?.localCandidateId ?? '') : undefined;
  const udpRelayGathered = [...stats.values()].some(
    (stat) => stat.type === 'local-candidate' && stat.candidateType === 'relay' && stat.relayProtocol === 'udp',
  );
  return {
    ...(local?.candidateType === 'relay' && local.relayProtocol ? { selected: local.relayProtocol } : {}),
    udpRelayGathered,
  };
}

/**
 * How long after connecting the path is watched, and how often. At `connected` the selected pair may not be reported
 * yet, and the answering side (ICE-controlled) follows the offerer's nomination, which can arrive a moment later and
 * move it onto a TCP relay; a single look at `connected` missed both (about 1 call in 5 on the answering side).
 */
export const RELAY_WATCH_MS = 5_000;
export const RELAY_CHECK_INTERVAL_MS = 250;

/**
 * Watches `pc` (at once if it is connected already): while it is connected during the first RELAY_WATCH_MS, if its
 * path is a TCP (or TLS) relay while a UDP relay candidate was gathered, it restarts ICE with `udpOnly()` (the
 * configuration without TCP TURN URLs). Once per peer connection.
 */
export function preferUdpRelay(
  pc: RelayPreferencePeer,
  options: { udpOnly: () => RTCConfiguration; hasUdpTurn: () => boolean; log: (line: string) => void },
): void {
  let watching = false;
  let regathered = false;
  const next = (until: number) => {
    if (Date.now() + RELAY_CHECK_INTERVAL_MS <= until) {
      setTimeout(() => void check(until), RELAY_CHECK_INTERVAL_MS);
    }
  };
  const check = async (until: number): Promise<void> => {
    // A moment away from `connected` (a consent check missed on a loaded machine, the regathering below) does not end
    // the watch: it looks again at the next tick. A closed connection needs nothing more.
    if (pc.connectionState === 'closed') return;
    if (pc.connectionState !== 'connected') {
      next(until);
      return;
    }
    const report = await pc.getStats();
    const { selected, udpRelayGathered } = relayTransport(report.values());
    if (selected !== undefined && selected !== 'udp' && udpRelayGathered) {
      options.log(`relay over ${selected} while UDP relay works: restarting ICE over UDP`);
      pc.setConfiguration(options.udpOnly());
      pc.restartIce();
      return;
    }
    if (selected !== undefined && selected !== 'udp' && !regathered && options.hasUdpTurn()) {
      regathered = true;
      options.log(`relay over ${selected} and no UDP relay candidate: gathering again`);
      pc.restartIce();
      until = Date.now() + RELAY_WATCH_MS;
    }
    next(until);
  };
  const listener = () => {
    if (watching || pc.connectionState !== 'connected') return;
    watching = true;
    pc.removeEventListener('connectionstatechange', listener);
    void check(Date.now() + RELAY_WATCH_MS);
  };
  pc.addEventListener('connectionstatechange', listener);
  listener(); // already connected (this code loads on its own)
}
