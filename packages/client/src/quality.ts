/*
 * Call quality from `RTCPeerConnection.getStats()`. Chromium and Firefox name things slightly differently; this
 * reads the common subset. Rates come from the difference between two successive reports.
 */

/** One entry of an RTCStatsReport (only the fields we read are typed). */
export interface StatsEntry {
  id: string;
  type: string;
  timestamp?: number;
  [field: string]: unknown;
}

export type CandidateType = 'host' | 'srflx' | 'prflx' | 'relay';

/** Counters kept between two reports to compute rates. */
export interface QualityCounters {
  timestamp: number;
  bytesSent: number;
  bytesReceived: number;
  packetsReceived: number;
  packetsLost: number;
}

export interface CallQuality {
  /** The candidate pair in use, e.g. `{ relayed: true, protocol: 'udp' }`. */
  path?: { relayed: boolean; protocol: string };
  roundTripMs?: number;
  /** Media bitrates, kilobits per second. */
  receiveKbps?: number;
  sendKbps?: number;
  /** Share of incoming packets lost since the previous report, 0–100. */
  packetLossPercent?: number;
  /** The incoming video as decoded. */
  video?: { width: number; height: number; framesPerSecond?: number };
  counters: QualityCounters;
}

const num = (value: unknown): number | undefined =>
  typeof value === 'number' && Number.isFinite(value) ? value : undefined;
/** A counter from a stats entry; 0 when the browser does not report it. */
const count = (value: unknown): number => num(value) ?? 0;

function selectedPair(entries: Map<string, StatsEntry>): StatsEntry | undefined {
  for (const entry of entries.values()) {
    if (entry.type === 'transport' && typeof entry.selectedCandidatePairId === 'string') {
      const pair = entries.get(entry.selectedCandidatePairId);
      if (pair) return pair;
    }
  }
  const pairs = [...entries.values()].filter((e) => e.type === 'candidate-pair');
  // Firefox marks the pair with `selected`; otherwise the nominated pair that works.
  return pairs.find((p) => p.selected === true) ?? pairs.find((p) => p.nominated === true && p.state === 'succeeded');
}

function describePath(entries: Map<string, StatsEntry>, pair: StatsEntry): CallQuality['path'] {
  const local = entries.get(String(pair.localCandidateId));
  const remote = entries.get(String(pair.remoteCandidateId));
  if (!local || !remote) return undefined;
  const localType = local.candidateType as CandidateType;
  const remoteType = remote.candidateType as CandidateType;
  const relayed = localType === 'relay' || remoteType === 'relay';
  // For our own relay candidate, what matters is how we reach the TURN server, not the relay's UDP leg.
  const protocol = String((localType === 'relay' ? local.relayProtocol : undefined) ?? local.protocol ?? 'udp');
  return { relayed, protocol };
}

/** Reads call quality from a stats report, computing rates against the previous report's counters. */
export function readQuality(report: Iterable<StatsEntry>, previous?: QualityCounters): CallQuality {
  const entries = new Map<string, StatsEntry>();
  for (const entry of report) entries.set(entry.id, entry);
  const counters: QualityCounters = {
    timestamp: 0,
    bytesSent: 0,
    bytesReceived: 0,
    packetsReceived: 0,
    packetsLost: 0,
  };
  const quality: CallQuality = { counters };
  for (const entry of entries.values()) {
    counters.timestamp = Math.max(counters.timestamp, count(entry.timestamp));
    if (entry.type === 'outbound-rtp') counters.bytesSent += count(entry.bytesSent);
    if (entry.type === 'inbound-rtp') {
      counters.bytesReceived += count(entry.bytesReceived);
      counters.packetsReceived += count(entry.packetsReceived);
      counters.packetsLost += Math.max(0, count(entry.packetsLost));
      const width = num(entry.frameWidth);
      const height = num(entry.frameHeight);
      if (entry.kind === 'video' && width && height) {
        quality.video = { width, height, framesPerSecond: num(entry.framesPerSecond) };
      }
    }
  }
  const pair = selectedPair(entries);
  if (pair) {
    quality.path = describePath(entries, pair);
    const rtt = num(pair.currentRoundTripTime);
    if (rtt !== undefined) quality.roundTripMs = Math.round(rtt * 1000);
  }
  const seconds = previous ? (counters.timestamp - previous.timestamp) / 1000 : 0;
  if (previous && seconds > 0) {
    const kbps = (bytes: number) => Math.max(0, Math.round((bytes * 8) / seconds / 1000));
    quality.sendKbps = kbps(counters.bytesSent - previous.bytesSent);
    quality.receiveKbps = kbps(counters.bytesReceived - previous.bytesReceived);
    const lost = counters.packetsLost - previous.packetsLost;
    const expected = lost + counters.packetsReceived - previous.packetsReceived;
    if (expected > 0) quality.packetLossPercent = Math.max(0, Math.round((lost / expected) * 1000) / 10);
  }
  return quality;
}

/** ICE candidates gathered here and received from the peer, counted by type (for the debug panel). */
export function candidateCounts(report: Iterable<StatsEntry>): {
  local: Record<string, number>;
  remote: Record<string, number>;
} {
  const counts = { local: {} as Record<string, number>, remote: {} as Record<string, number> };
  for (const entry of report) {
    const side =
      entry.type === 'local-candidate' ? counts.local : entry.type === 'remote-candidate' ? counts.remote : undefined;
    if (!side) continue;
    const protocol = String(entry.relayProtocol ?? entry.protocol ?? '');
    const key = `${String(entry.candidateType)}${protocol ? ` ${protocol}` : ''}`;
    side[key] = (side[key] ?? 0) + 1;
  }
  return counts;
}
