/*
 * A test-only window into the page's WebRTC: an init script the TEST injects wraps the RTCPeerConnection
 * constructor, so tests read what the browser really does (getStats, states, timings) without any hook in
 * production code. Everything here runs inside the page; keep it self-contained (no imports, no closures over
 * Node values).
 */

/** One peer connection the page created, as the probe recorded it. */
interface ProbedPeer {
  pc: RTCPeerConnection;
  createdAt: number;
  /** Epoch ms when `connectionState` first became `connected`. */
  connectedAt?: number;
  /** Epoch ms when the first remote video frame was decoded. */
  firstFrameAt?: number;
  /** Every `connectionState` it went through, in order. */
  states: string[];
  /** How many ICE restarts the page asked for. */
  iceRestarts: number;
  /** How many times the page changed the configuration (e.g. refreshed TURN credentials). */
  configurationUpdates: number;
  /** How many offers it made or took (signaling state `have-local-offer` or `have-remote-offer`). */
  offers: number;
}

interface ProbeGlobal {
  peers: ProbedPeer[];
}

/** The page's window as test code running in it sees the probe (`(window as unknown as ProbeWindow)`). */
export interface ProbeWindow {
  __parleyProbe: { peers: { pc: RTCPeerConnection }[] };
}

/** How often the probe polls a new video receiver until its first frame is decoded (timing resolution). */
const FIRST_FRAME_POLL_MS = 5;

/** The probe stops looking for a first frame after this long. */
const FIRST_FRAME_GIVE_UP_MS = 60_000;

/**
 * The init script: wraps `RTCPeerConnection` and records every instance in `window.__parleyProbe`. Must be
 * registered before the page's own scripts run (`UserPage.addInitScript`).
 */
export function installRtcProbe(timing: { pollMs: number; giveUpMs: number }): void {
  const w = window as unknown as {
    __parleyProbe?: ProbeGlobal;
    __name?: unknown;
    RTCPeerConnection: typeof RTCPeerConnection;
  };
  // tsx/vitest compile with keepNames, which wraps functions in `__name(...)`; give the page a stand-in.
  if (!w.__name) w.__name = (fn: unknown) => fn;
  if (w.__parleyProbe) return;
  const probe: ProbeGlobal = { peers: [] };
  w.__parleyProbe = probe;
  const Native = w.RTCPeerConnection;
  if (!Native) return;
  const watchFirstFrame = (record: ProbedPeer, receiver: RTCRtpReceiver) => {
    const started = Date.now();
    const timer = setInterval(() => {
      if (record.firstFrameAt !== undefined || Date.now() - started > timing.giveUpMs) {
        clearInterval(timer);
        return;
      }
      receiver
        .getStats()
        .then((report) => {
          report.forEach((stat: { type: string; kind?: string; framesDecoded?: number }) => {
            if (stat.type === 'inbound-rtp' && stat.kind === 'video' && (stat.framesDecoded ?? 0) > 0) {
              record.firstFrameAt ??= Date.now();
            }
          });
        })
        .catch(() => clearInterval(timer));
    }, timing.pollMs);
  };
  const Wrapped = function (this: unknown, ...args: ConstructorParameters<typeof RTCPeerConnection>) {
    const pc = new Native(...args);
    const record: ProbedPeer = {
      pc,
      createdAt: Date.now(),
      states: [],
      iceRestarts: 0,
      configurationUpdates: 0,
      offers: 0,
    };
    probe.peers.push(record);
    pc.addEventListener('connectionstatechange', () => {
      record.states.push(pc.connectionState);
      if (pc.connectionState === 'connected') record.connectedAt ??= Date.now();
    });
    pc.addEventListener('signalingstatechange', () => {
      if (pc.signalingState.startsWith('have-')) record.offers++;
    });
    pc.addEventListener('track', (event) => {
      if (event.track.kind === 'video') watchFirstFrame(record, event.receiver);
    });
    const setConfiguration = pc.setConfiguration.bind(pc);
    pc.setConfiguration = (configuration?: RTCConfiguration) => {
      record.configurationUpdates++;
      setConfiguration(configuration);
    };
    // Clients restart ICE either way: restartIce(), or an offer created with `iceRestart: true`.
    const restartIce = pc.restartIce.bind(pc);
    pc.restartIce = () => {
      record.iceRestarts++;
      restartIce();
    };
    const createOffer = pc.createOffer.bind(pc) as (options?: RTCOfferOptions) => Promise<RTCSessionDescriptionInit>;
    pc.createOffer = ((options?: RTCOfferOptions) => {
      if (options?.iceRestart) record.iceRestarts++;
      return createOffer(options);
    }) as typeof pc.createOffer;
    return pc;
  } as unknown as typeof RTCPeerConnection;
  Wrapped.prototype = Native.prototype;
  Object.setPrototypeOf(Wrapped, Native);
  w.RTCPeerConnection = Wrapped;
}

/** The timing the tests and the benchmark use. */
export const RTC_PROBE_TIMING = { pollMs: FIRST_FRAME_POLL_MS, giveUpMs: FIRST_FRAME_GIVE_UP_MS };

/** What a page's newest peer connection is doing, read from getStats. */
export interface RtcSnapshot {
  /** How many peer connections the page has created so far. */
  peerCount: number;
  connectionState: string;
  iceConnectionState: string;
  signalingState: string;
  states: string[];
  iceRestarts: number;
  configurationUpdates: number;
  /** Offers made or taken so far: renegotiations (and offers rolled back) show here. */
  offers: number;
  createdAt: number;
  connectedAt?: number;
  firstFrameAt?: number;
  /** The selected candidate pair, once there is one. */
  selectedPair?: {
    localType: string;
    remoteType: string;
    /** Transport of the candidate pair (`udp` for any relay candidate: the relayed leg is UDP). */
    protocol: string;
    /** For a local relay candidate: how the browser reaches the TURN server (`udp`, `tcp`, `tls`). */
    relayProtocol?: string;
    /** For a local relay candidate in Chromium: the TURN URL it was allocated through (Firefox reports none). */
    relayUrl?: string;
    /** The other side's address on this path (its public address on a direct path across NATs). */
    remoteAddress?: string;
  };
  /** Media and data bytes sent on candidate pairs that go through TURN (a local or remote relay candidate). */
  relayedBytesSent: number;
  /** Sum over inbound video streams. */
  video: {
    framesDecoded: number;
    frameWidth: number;
    packetsReceived: number;
    bytesReceived: number;
    /** Chromium's count of video freezes (Firefox reports none: 0). */
    freezeCount: number;
  };
  audio: { packetsReceived: number; bytesReceived: number };
  /** Outbound video streams, by track kind: tells camera from screen when a page sends both. */
  outboundVideoStreams: number;
  inboundVideoStreams: number;
}

/**
 * Reads the newest peer connection of the page (or the one at `index`); `undefined` until the page created one.
 * Runs inside the page.
 */
export async function readRtcSnapshot(index: number | null): Promise<RtcSnapshot | undefined> {
  const probe = (window as unknown as { __parleyProbe?: ProbeGlobal }).__parleyProbe;
  if (!probe) throw new Error('The RTC probe is not installed in this page');
  const record = index === null ? probe.peers[probe.peers.length - 1] : probe.peers[index];
  if (!record) return undefined;
  const { pc } = record;
  // Firefox never settles getStats() for a connection closed while it runs (Firefox 153: every time close() follows
  // at once, and now and then a few ms later), and the app closes its connection whenever a call ends: a snapshot
  // taken just then must not hang the test. A connection closed under the read has no stats to give.
  const closedPollMs = 50;
  let answered = false;
  const read = pc.getStats().finally(() => {
    answered = true;
  });
  const closed = new Promise<undefined>((resolve) => {
    const check = () => {
      if (answered) return;
      if (pc.signalingState === 'closed') resolve(undefined);
      else setTimeout(check, closedPollMs);
    };
    check();
  });
  const report = await Promise.race([read, closed]);
  type Stat = Record<string, unknown> & { type: string; id: string };
  const stats = new Map<string, Stat>();
  report?.forEach((stat: Stat) => {
    stats.set(stat.id, stat);
  });
  let pairId: string | undefined;
  for (const stat of stats.values()) {
    if (stat.type === 'transport' && typeof stat.selectedCandidatePairId === 'string') {
      pairId = stat.selectedCandidatePairId;
    }
  }
  if (!pairId) {
    // Firefox marks the selected pair itself (and has no transport stats).
    for (const stat of stats.values()) {
      if (stat.type === 'candidate-pair' && stat.selected === true) pairId = stat.id;
    }
  }
  const snapshot: RtcSnapshot = {
    peerCount: probe.peers.length,
    connectionState: pc.connectionState,
    iceConnectionState: pc.iceConnectionState,
    signalingState: pc.signalingState,
    states: [...record.states],
    iceRestarts: record.iceRestarts,
    configurationUpdates: record.configurationUpdates,
    offers: record.offers,
    createdAt: record.createdAt,
    connectedAt: record.connectedAt,
    firstFrameAt: record.firstFrameAt,
    relayedBytesSent: 0,
    video: { framesDecoded: 0, frameWidth: 0, packetsReceived: 0, bytesReceived: 0, freezeCount: 0 },
    audio: { packetsReceived: 0, bytesReceived: 0 },
    outboundVideoStreams: 0,
    inboundVideoStreams: 0,
  };
  const pair = pairId ? stats.get(pairId) : undefined;
  if (pair) {
    const local = stats.get(pair.localCandidateId as string);
    const remote = stats.get(pair.remoteCandidateId as string);
    if (local && remote) {
      snapshot.selectedPair = {
        localType: String(local.candidateType),
        remoteType: String(remote.candidateType),
        protocol: String(local.protocol),
        ...(typeof local.relayProtocol === 'string' ? { relayProtocol: local.relayProtocol } : {}),
        ...(local.candidateType === 'relay' && typeof local.url === 'string' ? { relayUrl: local.url } : {}),
        ...(typeof remote.address === 'string' ? { remoteAddress: remote.address } : {}),
      };
    }
  }
  for (const stat of stats.values()) {
    if (stat.type === 'candidate-pair') {
      const local = stats.get(stat.localCandidateId as string);
      const remote = stats.get(stat.remoteCandidateId as string);
      if (local?.candidateType === 'relay' || remote?.candidateType === 'relay') {
        snapshot.relayedBytesSent += Number(stat.bytesSent ?? 0);
      }
    }
    if (stat.type === 'inbound-rtp' && stat.kind === 'video') {
      snapshot.inboundVideoStreams++;
      snapshot.video.framesDecoded += Number(stat.framesDecoded ?? 0);
      snapshot.video.frameWidth = Math.max(snapshot.video.frameWidth, Number(stat.frameWidth ?? 0));
      snapshot.video.packetsReceived += Number(stat.packetsReceived ?? 0);
      snapshot.video.bytesReceived += Number(stat.bytesReceived ?? 0);
      snapshot.video.freezeCount += Number(stat.freezeCount ?? 0);
    }
    if (stat.type === 'inbound-rtp' && stat.kind === 'audio') {
      snapshot.audio.packetsReceived += Number(stat.packetsReceived ?? 0);
      snapshot.audio.bytesReceived += Number(stat.bytesReceived ?? 0);
    }
    if (stat.type === 'outbound-rtp' && stat.kind === 'video') snapshot.outboundVideoStreams++;
  }
  return snapshot;
}
