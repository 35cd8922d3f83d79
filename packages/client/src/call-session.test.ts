import type { ErrorCode, ServerMessage, SignalPayload } from '@parley/protocol';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { CallEndReason, CallEvents, CallStatus, PeerInfo } from './call-events';
import { readCallOptions } from './call-options';
import { CallSession, CONNECT_TIMEOUT_MS } from './call-session';
import type { CallTimings } from './call-timings';
import { POLITE_RESTART_DELAY_MS } from './ice-recovery';
import { REFUSED_ATTEMPTS } from './signaling-client';
import { joined, PEER, ROOM, TOKEN } from './test-fixtures';

/*
 * The session driven end to end in Node: a scripted RTCPeerConnection (JSEP's offer/answer states, candidates after
 * setLocalDescription, negotiationneeded on changes), a fake WebSocket answered by the test as the server would, and
 * the real SignalingClient, PeerLink, PerfectNegotiator and IceRecovery in between.
 */

const FINGERPRINT = Array.from({ length: 32 }, (_, i) => (i + 16).toString(16).toUpperCase()).join(':');

class FakeMediaStream {
  readonly #tracks: MediaStreamTrack[];
  constructor(tracks: MediaStreamTrack[] = []) {
    this.#tracks = [...tracks];
  }
  getTracks = () => [...this.#tracks];
  getAudioTracks = () => this.#tracks.filter((t) => t.kind === 'audio');
  getVideoTracks = () => this.#tracks.filter((t) => t.kind === 'video');
  addTrack = (track: MediaStreamTrack) => void this.#tracks.push(track);
  removeTrack = (track: MediaStreamTrack) => void this.#tracks.splice(this.#tracks.indexOf(track), 1);
}

class FakeDataChannel {
  readyState: RTCDataChannelState = 'connecting';
  binaryType = 'blob';
  bufferedAmount = 0;
  bufferedAmountLowThreshold = 0;
  readonly sent: unknown[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: unknown }) => void) | null = null;
  onclose: (() => void) | null = null;
  constructor(readonly label: string) {}
  send(data: unknown): void {
    this.sent.push(data);
  }
  addEventListener(): void {}
  removeEventListener(): void {}
  open(): void {
    this.readyState = 'open';
    this.onopen?.();
  }
}

class FakeTransceiver {
  currentDirection: RTCRtpTransceiverDirection | null = null;
  readonly receiver: { track: { kind: string } };
  readonly sender = {
    track: null as MediaStreamTrack | null,
    replaceTrack: async (track: MediaStreamTrack | null) => {
      this.sender.track = track;
    },
    setStreams: () => undefined,
  };
  constructor(
    kind: string,
    public direction: RTCRtpTransceiverDirection,
  ) {
    this.receiver = { track: { kind } };
  }
}

/** The parts of RTCPeerConnection the session uses, following JSEP's signaling states. */
class FakePeerConnection {
  static created: FakePeerConnection[] = [];
  connectionState: RTCPeerConnectionState = 'new';
  iceConnectionState: RTCIceConnectionState = 'new';
  signalingState: RTCSignalingState = 'stable';
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  currentLocalDescription: RTCSessionDescriptionInit | null = null;
  currentRemoteDescription: RTCSessionDescriptionInit | null = null;
  readonly channels: FakeDataChannel[] = [];
  readonly transceivers: FakeTransceiver[] = [];
  readonly candidates: RTCIceCandidateInit[] = [];
  restarts = 0;
  closed = false;
  onnegotiationneeded: (() => void) | null = null;
  onicecandidate: ((event: { candidate: { toJSON(): RTCIceCandidateInit } | null }) => void) | null = null;
  onicecandidateerror: ((event: unknown) => void) | null = null;
  ontrack: ((event: unknown) => void) | null = null;
  onconnectionstatechange: (() => void) | null = null;
  readonly #listeners = new Set<() => void>();
  #negotiationQueued = false;
  #generation = 0;

  constructor(readonly configuration: RTCConfiguration) {
    FakePeerConnection.created.push(this);
  }

  get ufrag(): string {
    return `u${FakePeerConnection.created.indexOf(this)}g${this.#generation}`;
  }

  createDataChannel(label: string): FakeDataChannel {
    const channel = new FakeDataChannel(label);
    this.channels.push(channel);
    this.#negotiationNeeded();
    return channel;
  }
  addTrack(track: MediaStreamTrack): void {
    this.transceivers.push(new FakeTransceiver(track.kind, 'sendrecv'));
    this.#negotiationNeeded();
  }
  addTransceiver(kind: string, init?: { direction?: RTCRtpTransceiverDirection }): void {
    this.transceivers.push(new FakeTransceiver(kind, init?.direction ?? 'sendrecv'));
    this.#negotiationNeeded();
  }
  getTransceivers(): FakeTransceiver[] {
    return this.transceivers;
  }
  async setLocalDescription(): Promise<void> {
    await Promise.resolve();
    if (this.signalingState === 'have-remote-offer') {
      this.localDescription = { type: 'answer', sdp: this.#sdp() };
      this.signalingState = 'stable';
      this.currentLocalDescription = this.localDescription;
      this.currentRemoteDescription = this.remoteDescription;
    } else {
      this.localDescription = { type: 'offer', sdp: this.#sdp() };
      this.signalingState = 'have-local-offer';
    }
    const candidate = {
      candidate: `candidate:1 1 udp 2122260223 192.0.2.10 5000${this.#generation} typ host`,
      sdpMid: '0',
      sdpMLineIndex: 0,
      usernameFragment: this.ufrag,
    };
    queueMicrotask(() => this.onicecandidate?.({ candidate: { toJSON: () => candidate } }));
  }
  async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    await Promise.resolve();
    if (description.type === 'offer') {
      this.remoteDescription = description;
      this.signalingState = 'have-remote-offer';
      return;
    }
    if (this.signalingState !== 'have-local-offer') throw new Error('InvalidStateError: no offer to answer');
    this.remoteDescription = description;
    this.signalingState = 'stable';
    this.currentLocalDescription = this.localDescription;
    this.currentRemoteDescription = description;
  }
  async addIceCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    this.candidates.push(candidate);
  }
  restartIce(): void {
    this.restarts += 1;
    this.#generation += 1;
    this.#negotiationNeeded();
  }
  setConfiguration(): void {}
  close(): void {
    this.closed = true;
    this.connectionState = 'closed';
  }
  async getStats(): Promise<Map<string, unknown>> {
    return new Map();
  }
  addEventListener(_type: string, listener: () => void): void {
    this.#listeners.add(listener);
  }
  removeEventListener(_type: string, listener: () => void): void {
    this.#listeners.delete(listener);
  }

  /** The browser's ICE agent moved the connection to `state`. */
  reach(state: RTCPeerConnectionState): void {
    this.connectionState = state;
    this.iceConnectionState = state === 'connected' ? 'connected' : state === 'failed' ? 'failed' : 'disconnected';
    this.onconnectionstatechange?.();
    for (const listener of this.#listeners) listener();
  }

  #sdp(): string {
    return `v=0\r\nm=video 9 UDP/TLS/RTP/SAVPF 96\r\nc=IN IP4 192.0.2.10\r\na=ice-ufrag:${this.ufrag}\r\na=fingerprint:sha-256 ${FINGERPRINT}\r\n`;
  }

  #negotiationNeeded(): void {
    if (this.#negotiationQueued) return;
    this.#negotiationQueued = true;
    queueMicrotask(() => {
      this.#negotiationQueued = false;
      if (!this.closed && this.signalingState === 'stable') this.onnegotiationneeded?.();
    });
  }
}

/** The signaling socket, answered by the test as the server would. */
class FakeWebSocket {
  static created: FakeWebSocket[] = [];
  readyState = 0;
  readonly sent: Record<string, unknown>[] = [];
  onopen: (() => void) | null = null;
  onmessage: ((event: { data: string }) => void) | null = null;
  onclose: (() => void) | null = null;
  onerror: (() => void) | null = null;
  constructor(readonly url: string) {
    FakeWebSocket.created.push(this);
  }
  send(data: string): void {
    this.sent.push(JSON.parse(data));
  }
  close(): void {
    this.readyState = 3;
  }
  open(): void {
    this.readyState = 1;
    this.onopen?.();
  }
  deliver(message: ServerMessage): void {
    this.onmessage?.({ data: JSON.stringify(message) });
  }
  /** The connection closed before it opened (a refused handshake). */
  refuse(): void {
    this.readyState = 3;
    this.onclose?.();
  }
  sentOfType(type: string): Record<string, unknown>[] {
    return this.sent.filter((message) => message.type === type);
  }
}

const description = (type: 'offer' | 'answer'): SignalPayload => ({
  kind: 'description',
  description: { type, sdp: `v=0\r\na=ice-ufrag:peer0\r\na=fingerprint:sha-256 ${FINGERPRINT}\r\n` },
});

/** What the session told the app. */
function recorder() {
  const heard = {
    statuses: [] as CallStatus[],
    peers: [] as (PeerInfo | undefined)[],
    streams: [] as (MediaStream | undefined)[],
    problems: [] as (string | undefined)[],
    timings: [] as CallTimings[],
    ended: [] as CallEndReason[],
    log: [] as string[],
  };
  const events: CallEvents = {
    status: (status) => heard.statuses.push(status),
    peer: (peer) => heard.peers.push(peer),
    remoteStream: (stream) => heard.streams.push(stream),
    chat: () => undefined,
    transfer: () => undefined,
    problem: (kind) => heard.problems.push(kind),
    quality: () => undefined,
    timings: (timings) => heard.timings.push(timings),
    ended: (reason) => heard.ended.push(reason),
    log: (line) => heard.log.push(line),
  };
  return { heard, events };
}

const storage = new Map<string, string>();

/** A session joined to the room (its socket open and the join sent), with what it tells the app. */
function joinedSession() {
  const localStream = new FakeMediaStream([
    { kind: 'audio' } as MediaStreamTrack,
    { kind: 'video' } as MediaStreamTrack,
  ]);
  const session = new CallSession({
    signalingUrl: 'wss://example.test/',
    roomId: ROOM,
    options: readCallOptions(''),
    localStream: localStream as unknown as MediaStream,
  });
  const { heard, events } = recorder();
  session.start('Ada', events);
  const socket = FakeWebSocket.created.at(-1) as FakeWebSocket;
  socket.open();
  return { session, socket, heard, pc: () => FakePeerConnection.created.at(-1) as FakePeerConnection };
}

/** Lets promises, microtasks and due timers run. */
const settle = () => vi.advanceTimersByTimeAsync(0);

beforeEach(() => {
  vi.useFakeTimers();
  FakePeerConnection.created = [];
  FakeWebSocket.created = [];
  storage.clear();
  vi.stubGlobal('RTCPeerConnection', FakePeerConnection);
  vi.stubGlobal('MediaStream', FakeMediaStream);
  vi.stubGlobal('WebSocket', FakeWebSocket);
  vi.stubGlobal('sessionStorage', {
    getItem: (key: string) => storage.get(key) ?? null,
    setItem: (key: string, value: string) => storage.set(key, value),
    removeItem: (key: string) => storage.delete(key),
  });
});
afterEach(() => {
  vi.unstubAllGlobals();
  vi.useRealTimers();
});

describe('When joining a room alone', () => {
  it('should wait with a connection made ahead, and park its offer without addresses for whoever comes', async () => {
    const { socket, heard, pc } = joinedSession();
    expect(socket.sentOfType('join')).toHaveLength(1);
    socket.deliver(joined());
    await settle();

    expect(heard.statuses).toEqual(['joining', 'waiting']);
    expect(FakePeerConnection.created).toHaveLength(1);
    expect(pc().localDescription?.type).toBe('offer');
    const [park] = socket.sentOfType('park');
    const parked = park?.data as { description: { sdp: string } };
    expect(parked.description.sdp).toContain('a=fingerprint');
    expect(parked.description.sdp).not.toContain('192.0.2.10');
    // Nobody is addressed yet: nothing is signalled.
    expect(socket.sentOfType('signal')).toEqual([]);
    expect(storage.get(`parley.resume.${ROOM}`)).toContain(TOKEN);
  });
});

describe('When the lobby sees who is in the room', () => {
  it('should not count the seat this tab held before a reload as someone waiting', async () => {
    const { socket } = joinedSession();
    socket.deliver(joined());
    await settle();
    // The page reloads: a new session for the same room, in the same tab.
    const reloaded = new CallSession({
      signalingUrl: 'wss://example.test/',
      roomId: ROOM,
      options: readCallOptions(''),
      localStream: new FakeMediaStream([]) as unknown as MediaStream,
    });
    const ours = { memberId: joined().memberId, role: 'impolite' as const, name: 'Ada' };
    const theirs = { memberId: 'GraceGraceGrace0', role: 'polite' as const, name: 'Grace' };
    const room = (members: (typeof ours | typeof theirs)[]) => ({ type: 'room' as const, roomId: ROOM, members });
    expect(reloaded.othersIn(room([ours]))).toEqual([]);
    expect(reloaded.othersIn(room([ours, theirs]))).toEqual([theirs]);
    storage.clear(); // another tab: nothing held here
    expect(reloaded.othersIn(room([ours]))).toEqual([ours]);
  });
});

describe('When the peer arrives', () => {
  it('should send what was made while waiting (candidates batched, not the offer they took), then connect', async () => {
    const { socket, heard, pc } = joinedSession();
    socket.deliver(joined());
    await settle();
    const parkedId = socket.sentOfType('park')[0]?.id as string;

    socket.deliver({ type: 'peer-joined', memberId: PEER, role: 'polite', name: 'Grace', offerId: parkedId });
    await settle();
    expect(heard.statuses.at(-1)).toBe('connecting');
    expect(heard.peers.at(-1)).toEqual({ name: 'Grace', audio: true, video: true, screen: false });
    const signals = socket.sentOfType('signal');
    expect(signals.map((s) => (s.data as SignalPayload).kind)).toEqual(['candidates']);
    expect(signals[0]?.to).toBe(PEER);

    // The answer to the parked offer.
    socket.deliver({ type: 'signal', id: 'peerinst.1', from: PEER, data: description('answer') });
    await settle();
    expect(pc().signalingState).toBe('stable');
    expect(pc().remoteDescription?.type).toBe('answer');

    pc().reach('connected');
    await settle();
    expect(heard.statuses.at(-1)).toBe('connected');
    expect(heard.timings.at(-1)?.setupMs).toBeGreaterThanOrEqual(0);
    expect(FakePeerConnection.created).toHaveLength(1); // the connection made ahead is the call's
  });

  it('should say so when no media path is found in time', async () => {
    const { socket, heard } = joinedSession();
    socket.deliver(joined());
    await settle();
    socket.deliver({ type: 'peer-joined', memberId: PEER, role: 'polite' });
    await vi.advanceTimersByTimeAsync(CONNECT_TIMEOUT_MS);
    expect(heard.problems.at(-1)).toBe('connection-failed');
  });
});

describe('When the peer is there with an offer as we join (polite)', () => {
  it('should answer the offer that came with `joined`, addressed to that member', async () => {
    const { socket, heard, pc } = joinedSession();
    socket.deliver(
      joined({
        role: 'polite',
        members: [{ memberId: PEER, role: 'impolite', name: 'Grace' }],
        offer: { id: 'peerinst.1', data: description('offer') as never },
      }),
    );
    await settle();
    expect(heard.statuses).toEqual(['joining', 'connecting']);
    expect(pc().remoteDescription?.type).toBe('offer');
    const answer = socket.sentOfType('signal').find((s) => (s.data as SignalPayload).kind === 'description');
    expect(answer?.to).toBe(PEER);
    expect(answer?.data).toMatchObject({ kind: 'description', description: { type: 'answer' } });
    expect(socket.sentOfType('park')).toEqual([]);
  });

  it('should start afresh when the peer reloads (a new negotiator instance), and ignore its old page after', async () => {
    const { socket, heard } = joinedSession();
    socket.deliver(joined({ role: 'polite', members: [{ memberId: PEER, role: 'impolite' }] }));
    socket.deliver({ type: 'signal', id: 'old.1', from: PEER, data: description('offer') });
    await settle();
    expect(FakePeerConnection.created).toHaveLength(1);

    socket.deliver({ type: 'signal', id: 'new.1', from: PEER, data: description('offer') });
    await settle();
    expect(heard.log).toContain('peer restarted');
    expect(FakePeerConnection.created).toHaveLength(2);
    expect(FakePeerConnection.created[0]?.closed).toBe(true);

    socket.deliver({ type: 'signal', id: 'old.2', from: PEER, data: description('offer') });
    await settle();
    expect(FakePeerConnection.created).toHaveLength(2);
  });
});

describe('When the media path fails', () => {
  async function inCall(role: 'polite' | 'impolite') {
    const call = joinedSession();
    call.socket.deliver(
      joined({ role, members: [{ memberId: PEER, role: role === 'polite' ? 'impolite' : 'polite' }] }),
    );
    if (role === 'polite')
      call.socket.deliver({ type: 'signal', id: 'peerinst.1', from: PEER, data: description('offer') });
    await settle();
    if (role === 'impolite')
      call.socket.deliver({ type: 'signal', id: 'peerinst.1', from: PEER, data: description('answer') });
    await settle();
    call.pc().reach('connected');
    await settle();
    return call;
  }

  it('should restart ICE at once on the impolite side, saying why, and show the call reconnecting', async () => {
    const { heard, pc, socket } = await inCall('impolite');
    const offersBefore = socket.sentOfType('signal').length;
    pc().reach('failed');
    await settle();
    expect(heard.statuses.at(-1)).toBe('reconnecting');
    expect(pc().restarts).toBe(1);
    expect(heard.log).toContain('ICE restart: connection-failed');
    // The restart's offer goes to the peer.
    const after = socket.sentOfType('signal').slice(offersBefore);
    expect(after.some((s) => (s.data as SignalPayload).kind === 'description')).toBe(true);
  });

  it('should restart on the polite side only after giving the other side time', async () => {
    const { heard, pc } = await inCall('polite');
    pc().reach('failed');
    await settle();
    expect(pc().restarts).toBe(0);
    await vi.advanceTimersByTimeAsync(POLITE_RESTART_DELAY_MS);
    expect(pc().restarts).toBe(1);
    expect(heard.log).toContain('ICE restart: still-failed');
  });
});

describe('When the peer leaves', () => {
  it('should close the connection, keep the room open and show that they left', async () => {
    const { socket, heard, pc } = joinedSession();
    socket.deliver(joined({ members: [{ memberId: PEER, role: 'polite', name: 'Grace' }] }));
    await settle();
    socket.deliver({ type: 'peer-left', memberId: PEER, reason: 'left' });
    await settle();
    expect(heard.statuses.at(-1)).toBe('peer-left');
    expect(pc().closed).toBe(true);
    expect(heard.streams.at(-1)).toBeUndefined();
    // Their name stays on screen: they may come back.
    expect(heard.peers.at(-1)?.name).toBe('Grace');
    expect(heard.ended).toEqual([]);
  });

  it('should say goodbye to the peer when hanging up', async () => {
    const { session, socket, heard, pc } = joinedSession();
    socket.deliver(joined({ members: [{ memberId: PEER, role: 'polite' }] }));
    await settle();
    const chat = pc().channels.find((c) => c.label === 'chat') as FakeDataChannel;
    chat.open();
    const hangingUp = session.hangUp();
    expect(chat.sent.map((m) => JSON.parse(m as string).type)).toContain('bye');
    expect(socket.sentOfType('leave')).toHaveLength(1);
    socket.deliver({ type: 'left', id: socket.sentOfType('leave')[0]?.id as string });
    await hangingUp;
    expect(heard.ended).toEqual(['hung-up']);
    expect(heard.statuses.at(-1)).toBe('ended');
    expect(storage.has(`parley.resume.${ROOM}`)).toBe(false);
  });
});

describe('When the call ends', () => {
  const endings: [ErrorCode, CallEndReason][] = [
    ['room-full', 'room-full'],
    ['bad-room-id', 'broken-link'],
    ['wrong-room', 'broken-link'],
    ['unsupported-version', 'outdated'],
    ['ticket-in-use', 'ticket-in-use'],
  ];
  it.each(endings)('should end once with the reason for a server error %s (%s)', async (code, reason) => {
    const { socket, heard } = joinedSession();
    socket.deliver({ type: 'error', code, message: 'no' });
    await settle();
    expect(heard.ended).toEqual([reason]);
    expect(heard.statuses.at(-1)).toBe('ended');
  });

  it('should not end for an error that retrying or ignoring fixes', async () => {
    const { socket, heard } = joinedSession();
    socket.deliver(joined());
    socket.deliver({ type: 'error', code: 'peer-unavailable', message: 'not now', ref: 'x.1' });
    await settle();
    expect(heard.ended).toEqual([]);
  });

  it('should end with link-refused when every connection is refused before it opens', async () => {
    const session = new CallSession({
      signalingUrl: 'wss://example.test/',
      roomId: ROOM,
      options: readCallOptions(''),
      localStream: new FakeMediaStream() as unknown as MediaStream,
    });
    const { heard, events } = recorder();
    session.start(undefined, events);
    for (let attempt = 0; attempt < REFUSED_ATTEMPTS; attempt++) {
      (FakeWebSocket.created.at(-1) as FakeWebSocket).refuse();
      await vi.advanceTimersByTimeAsync(60_000);
    }
    expect(heard.ended).toEqual(['link-refused']);
  });

  it('should end with tampered when the peer’s description carries no certificate fingerprint', async () => {
    const { socket, heard } = joinedSession();
    socket.deliver(joined({ role: 'polite', members: [{ memberId: PEER, role: 'impolite' }] }));
    socket.deliver({
      type: 'signal',
      id: 'peerinst.1',
      from: PEER,
      data: { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\na=ice-ufrag:peer0\r\n' } },
    });
    await settle();
    expect(heard.ended).toEqual(['tampered']);
    await vi.advanceTimersByTimeAsync(2_000); // the hang-up that follows (its leave times out)
    expect(heard.ended).toEqual(['tampered']);
    expect(heard.statuses.at(-1)).toBe('ended');
  });
});
