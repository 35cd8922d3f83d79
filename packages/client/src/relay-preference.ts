/*
 * TURN over UDP before TURN over TCP. When both kinds of relay candidate work, Chromium nominates whichever relay
 * pair passes its check first and keeps it for the whole call: about one call in seven ended up on TURN/TCP, where
 * every lost packet stalls the ones behind it (head-of-line blocking) and video freezes. TCP is the fallback for
 * networks that block UDP, not a peer of it. So once connected, a relay path over TCP is steered to UDP when this
 * browser holds a working UDP relay candidate: ICE restarts with only the UDP TURN URLs. Media keeps flowing on the
 * old pair until the new one is chosen. Where UDP does not work there is no UDP relay candidate, and nothing changes.
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
 * Watches `pc`: the first time it connects over a TCP (or TLS) relay while a UDP relay candidate was gathered, it
 * restarts ICE with `udpOnly()` (the configuration without TCP TURN URLs). Once per peer connection.
 */
export function preferUdpRelay(
  pc: RelayPreferencePeer,
  options: { udpOnly: () => RTCConfiguration; log: (line: string) => void },
): void {
  let checked = false;
  const onState = async () => {
    if (checked || pc.connectionState !== 'connected') return;
    checked = true;
    pc.removeEventListener('connectionstatechange', listener);
    const report = await pc.getStats();
    const { selected, udpRelayGathered } = relayTransport(report.values());
    if (selected === undefined || selected === 'udp' || !udpRelayGathered) return;
    options.log(`relay over ${selected} while UDP relay works: restarting ICE over UDP`);
    pc.setConfiguration(options.udpOnly());
    pc.restartIce();
  };
  const listener = () => void onState();
  pc.addEventListener('connectionstatechange', listener);
}
