import type { SignalPayload } from '@parley/protocol';
import fc from 'fast-check';
import { afterEach, describe, expect, it, vi } from 'vitest';
import {
  batchHeldSignals,
  iceUsernameFragment,
  incomingSignal,
  type NegotiatingPeerConnection,
  PerfectNegotiator,
  parseSignalId,
  REORDER_WAIT_MS,
} from './negotiation';

/**
 * A scripted stand-in for the parts of RTCPeerConnection that negotiation touches, following JSEP's signaling
 * states: argument-less setLocalDescription makes an offer or answer, a remote offer in have-local-offer rolls the
 * local one back, answers need an outstanding offer, candidates need a remote description with their ufrag, and
 * `negotiationneeded` fires (again) whenever the connection is stable with local changes not yet offered.
 */
class FakePeerConnection implements NegotiatingPeerConnection {
  signalingState: RTCSignalingState = 'stable';
  localDescription: RTCSessionDescriptionInit | null = null;
  remoteDescription: RTCSessionDescriptionInit | null = null;
  readonly addedCandidates: string[] = [];
  onnegotiationneeded: () => void = () => undefined;
  onicecandidate: (candidate: RTCIceCandidateInit) => void = () => undefined;
  private currentLocal: RTCSessionDescriptionInit | null = null;
  private tracks = 0;
  private negotiatedTracks = 0;
  private offeredTracks = 0;
  private iceGeneration = 0;
  private negotiatedIceGeneration = 0;
  private gatheredUfrag: string | undefined;
  private version = 0;

  constructor(readonly name: string) {}

  get ufrag(): string {
    return `${this.name}${this.iceGeneration}`;
  }

  addTrack(): void {
    this.tracks += 1;
    this.checkNegotiationNeeded();
  }

  restartIce(): void {
    this.iceGeneration += 1;
    this.checkNegotiationNeeded();
  }

  get negotiated(): boolean {
    return this.negotiatedTracks === this.tracks && this.negotiatedIceGeneration === this.iceGeneration;
  }

  async setLocalDescription(): Promise<void> {
    await Promise.resolve();
    this.version += 1;
    if (this.signalingState === 'have-remote-offer') {
      this.localDescription = this.currentLocal = { type: 'answer', sdp: this.sdp('answer') };
      this.signalingState = 'stable';
      this.negotiatedIceGeneration = Math.max(this.negotiatedIceGeneration, 0);
      this.checkNegotiationNeeded();
    } else {
      this.offeredTracks = this.tracks;
      this.localDescription = { type: 'offer', sdp: this.sdp('offer') };
      this.signalingState = 'have-local-offer';
    }
    this.gather();
  }

  async setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void> {
    await Promise.resolve();
    if (description.type === 'offer') {
      if (this.signalingState === 'have-local-offer') this.localDescription = this.currentLocal; // implicit rollback
      this.remoteDescription = description;
      this.signalingState = 'have-remote-offer';
      return;
    }
    if (this.signalingState !== 'have-local-offer') throw new Error('InvalidStateError: no offer to answer');
    this.remoteDescription = description;
    this.currentLocal = this.localDescription;
    this.negotiatedTracks = this.offeredTracks;
    this.negotiatedIceGeneration = Number(/gen=(\d+)/.exec(this.localDescription?.sdp ?? '')?.[1]);
    this.signalingState = 'stable';
    this.checkNegotiationNeeded();
  }

  async addIceCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    await Promise.resolve();
    if (!this.remoteDescription) throw new Error('InvalidStateError: no remote description');
    if (candidate.usernameFragment !== iceUsernameFragment(this.remoteDescription.sdp)) {
      throw new Error('OperationError: unknown ufrag');
    }
    this.addedCandidates.push(candidate.candidate ?? '');
  }

  private sdp(type: string): string {
    return `v=0\r\no=${this.name} ${this.version}\r\na=${type} tracks=${this.tracks} gen=${this.iceGeneration}\r\na=ice-ufrag:${this.ufrag}\r\n`;
  }

  private gather(): void {
    if (this.gatheredUfrag === this.ufrag) return;
    const ufrag = this.ufrag;
    this.gatheredUfrag = ufrag;
    // Like a browser, candidates surface as events after setLocalDescription has resolved.
    setImmediate(() => {
      for (const n of [1, 2]) {
        this.onicecandidate({ candidate: `candidate:${ufrag}-${n}`, sdpMid: '0', usernameFragment: ufrag });
      }
    });
  }

  private checkNegotiationNeeded(): void {
    if (this.signalingState !== 'stable' || this.negotiated) return;
    queueMicrotask(() => {
      if (this.signalingState === 'stable' && !this.negotiated) this.onnegotiationneeded();
    });
  }
}

interface InFlight {
  to: 'a' | 'b';
  id: string;
  data: SignalPayload;
  /** A copy the network made; it is delivered once. */
  copy?: boolean;
}

/** Two fake peers whose signaling messages sit in a shared "network" until the test delivers them. */
function connectPair() {
  const network: InFlight[] = [];
  const make = (name: 'a' | 'b', polite: boolean) => {
    const pc = new FakePeerConnection(name);
    const negotiator = new PerfectNegotiator(pc, {
      polite,
      instance: `inst${name}`,
      send: (to, data, id) => network.push({ to: to as 'a' | 'b', id, data }),
    });
    negotiator.addressTo(name === 'a' ? 'b' : 'a');
    pc.onnegotiationneeded = () => void negotiator.negotiationNeeded();
    pc.onicecandidate = (candidate) => negotiator.localCandidate(candidate);
    return { pc, negotiator };
  };
  // `a` is impolite: it makes the first offer of a call (the polite side waits for it).
  const peers = { a: make('a', false), b: make('b', true) };
  /** Lets every pending promise and candidate event of the fakes run (no timers involved). */
  const settle = async () => {
    for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
  };
  const deliver = async (message: InFlight) => {
    await peers[message.to].negotiator.receive(incomingSignal(message.id, message.data));
  };
  /** Delivers everything in flight, in order, until the network is quiet. */
  const runInOrder = async () => {
    await settle();
    while (network.length > 0) {
      await deliver(network.shift() as InFlight);
      await settle();
    }
  };
  const expectConverged = () => {
    const { a, b } = peers;
    expect(a.pc.signalingState).toBe('stable');
    expect(b.pc.signalingState).toBe('stable');
    expect(a.pc.negotiated && b.pc.negotiated).toBe(true);
    expect(a.pc.remoteDescription?.sdp).toBe(b.pc.localDescription?.sdp);
    expect(b.pc.remoteDescription?.sdp).toBe(a.pc.localDescription?.sdp);
    expect(a.pc.addedCandidates).toEqual(expect.arrayContaining([`candidate:${b.pc.ufrag}-1`]));
    expect(b.pc.addedCandidates).toEqual(expect.arrayContaining([`candidate:${a.pc.ufrag}-1`]));
  };
  return { network, peers, settle, deliver, runInOrder, expectConverged };
}

afterEach(() => {
  vi.useRealTimers();
});

describe('when reading signal ids', () => {
  it('should split an id into instance and sequence', () => {
    expect(parseSignalId('abc_-1.42')).toEqual({ instance: 'abc_-1', sequence: 42 });
  });
  it('should not recognize foreign ids', () => {
    expect(parseSignalId('hello')).toBeUndefined();
    expect(parseSignalId(undefined)).toBeUndefined();
  });
});

describe('when only one side has something to send', () => {
  it('should converge with one offer and one answer', async () => {
    const pair = connectPair();
    pair.peers.a.pc.addTrack();
    await pair.runInOrder();
    pair.expectConverged();
  });
});

describe('when a call starts with something to send on both sides', () => {
  it('should leave the first offer to the impolite side and carry the polite side on the answer', async () => {
    const pair = connectPair();
    pair.peers.a.pc.addTrack();
    pair.peers.b.pc.addTrack();
    await pair.settle();
    expect(pair.network.filter((m) => m.data.kind === 'description')).toEqual([
      expect.objectContaining({ to: 'b', data: expect.objectContaining({ kind: 'description' }) }),
    ]);
    await pair.runInOrder();
    pair.expectConverged();
  });
});

describe('when both sides renegotiate at the same time (glare)', () => {
  it('should let the polite side yield and converge with both sides negotiated', async () => {
    const pair = connectPair();
    pair.peers.a.pc.addTrack();
    await pair.runInOrder();
    pair.peers.a.pc.addTrack();
    pair.peers.b.pc.addTrack();
    await pair.settle();
    expect(pair.network.filter((m) => m.data.kind === 'description')).toHaveLength(2);
    await pair.runInOrder();
    pair.expectConverged();
  });
});

describe('when the first offer arrives just before the polite side has something to send', () => {
  it('should answer it instead of making a colliding offer, then offer what is left', async () => {
    const pair = connectPair();
    pair.peers.a.pc.addTrack();
    await pair.settle();
    const [offer] = pair.network.splice(0, 1);
    expect(offer?.to).toBe('b');
    // B receives A's offer and, before it is applied, adds a track of its own (negotiationneeded fires at once).
    const received = pair.peers.b.negotiator.receive(incomingSignal(offer?.id, offer?.data as SignalPayload));
    pair.peers.b.pc.addTrack();
    await received;
    await pair.settle();
    const descriptions = pair.network.filter((m) => m.data.kind === 'description');
    expect(descriptions[0]).toMatchObject({ to: 'a', data: { description: { type: 'answer' } } });
    await pair.runInOrder();
    pair.expectConverged();
  });
});

describe('when the network duplicates every message', () => {
  it('should apply each once and converge', async () => {
    const pair = connectPair();
    pair.peers.a.pc.addTrack();
    pair.peers.b.pc.addTrack();
    await pair.settle();
    while (pair.network.length > 0) {
      const message = pair.network.shift() as InFlight;
      await pair.deliver(message);
      await pair.deliver(message);
      await pair.settle();
    }
    pair.expectConverged();
  });
});

describe('when candidates overtake their description', () => {
  it('should hold them and apply them once the description arrives', async () => {
    const pair = connectPair();
    pair.peers.a.pc.addTrack();
    await pair.settle();
    const [offer, ...candidates] = pair.network.splice(0);
    expect(offer?.data.kind).toBe('description');
    expect(candidates).toHaveLength(2);
    // Without ids the order cannot be restored, so this exercises the holding of early candidates.
    for (const c of candidates) await pair.peers.b.negotiator.receive(incomingSignal(undefined, c.data));
    expect(pair.peers.b.pc.addedCandidates).toEqual([]);
    await pair.deliver(offer as InFlight);
    await pair.settle();
    expect(pair.peers.b.pc.addedCandidates).toEqual(['candidate:a0-1', 'candidate:a0-2']);
    await pair.runInOrder();
    pair.expectConverged();
  });
});

describe('when the ICE connection is restarted', () => {
  it('should renegotiate with fresh credentials and apply the new candidates', async () => {
    const pair = connectPair();
    pair.peers.a.pc.addTrack();
    pair.peers.b.pc.addTrack();
    await pair.runInOrder();
    pair.peers.b.pc.restartIce();
    await pair.runInOrder();
    pair.expectConverged();
    expect(pair.peers.a.pc.remoteDescription?.sdp).toContain('a=ice-ufrag:b1');
    expect(pair.peers.a.pc.addedCandidates).toContain('candidate:b1-1');
  });
});

describe('when candidates gathered while waiting arrive as one batch', () => {
  it('should apply them all and count the batch as that many messages, so what follows is not held', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const pair = connectPair();
    pair.peers.a.pc.addTrack();
    await pair.settle();
    const [offer, first, second] = pair.network.splice(0) as InFlight[];
    if (first?.data.kind !== 'candidate' || second?.data.kind !== 'candidate') throw new Error('expected candidates');
    await pair.deliver(offer as InFlight);
    // What the waiting side sends when someone arrives: the two candidates as one message, under the first's id.
    const candidates = [first.data.candidate, second.data.candidate].filter((c) => c !== null);
    await pair.peers.b.negotiator.receive(incomingSignal(first.id, { kind: 'candidates', candidates }));
    await pair.settle();
    expect(pair.peers.b.pc.addedCandidates).toEqual(['candidate:a0-1', 'candidate:a0-2']);
    await pair.runInOrder();
    // A's next message (sequence 4) applies at once: no gap is waited for (the timers never run here).
    pair.peers.a.pc.restartIce();
    await pair.settle();
    const [restart] = pair.network.filter((m) => m.to === 'b' && m.data.kind === 'description');
    expect(parseSignalId(restart?.id)?.sequence).toBe(4);
    await pair.runInOrder();
    expect(pair.peers.b.pc.remoteDescription?.sdp).toContain('a=ice-ufrag:a1');
    pair.expectConverged();
  });
});

describe('when a message is lost for good', () => {
  it('should stop waiting for it after the reorder window and go on with the later ones', async () => {
    vi.useFakeTimers({ toFake: ['setTimeout', 'clearTimeout'] });
    const pair = connectPair();
    pair.peers.a.pc.addTrack();
    await pair.settle();
    const [offer, first, second] = pair.network.splice(0) as InFlight[];
    await pair.deliver(offer as InFlight);
    await pair.deliver(second as InFlight);
    await pair.settle();
    expect(pair.peers.b.pc.addedCandidates).toEqual([]);
    await vi.advanceTimersByTimeAsync(REORDER_WAIT_MS);
    await pair.settle();
    expect(pair.peers.b.pc.addedCandidates).toEqual(['candidate:a0-2']);
    expect(first?.data.kind).toBe('candidate');
  });
});

describe('when a restarted peer (new instance) sends signals', () => {
  it('should not apply them, call it a restart once, and call the replaced instance stale after', async () => {
    const retired = new Set<string>();
    const pc = new FakePeerConnection('b');
    const negotiator = new PerfectNegotiator(pc, { polite: true, instance: 'instb', send: () => undefined, retired });
    negotiator.addressTo('a');
    const first = incomingSignal('insta.1', { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } });
    expect(negotiator.verdict(first)).toBe('apply');
    await negotiator.receive(first);
    const before = pc.remoteDescription;
    const reloaded = incomingSignal('other.1', { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } });
    expect(negotiator.verdict(reloaded)).toBe('peer-restarted');
    expect(retired).toEqual(new Set(['insta']));
    await negotiator.receive(reloaded);
    expect(pc.remoteDescription).toBe(before);
    // The next connection's negotiator shares the set: a late signal of the old page is dropped there.
    const next = new PerfectNegotiator(new FakePeerConnection('b'), {
      polite: true,
      instance: 'instc',
      send: () => undefined,
      retired,
    });
    expect(next.verdict(incomingSignal('insta.2', first.data))).toBe('stale');
    expect(next.verdict(reloaded)).toBe('apply');
  });
});

describe('when nobody is addressed yet (waiting alone)', () => {
  it('should hold what it makes, offer the offer for parking, and send it batched once addressed', async () => {
    const pc = new FakePeerConnection('a');
    const sent: { to: string; data: SignalPayload; id: string }[] = [];
    const parked: string[] = [];
    const negotiator = new PerfectNegotiator(pc, {
      polite: false,
      instance: 'insta',
      send: (to, data, id) => sent.push({ to, data, id }),
      unaddressedOffer: (offer, id) => parked.push(`${offer.type} ${id}`),
    });
    pc.onicecandidate = (candidate) => negotiator.localCandidate(candidate);
    pc.addTrack();
    await negotiator.negotiationNeeded();
    for (let i = 0; i < 3; i++) await new Promise<void>((resolve) => setImmediate(resolve));
    expect(sent).toEqual([]);
    expect(parked).toEqual(['offer insta.1']);

    negotiator.addressTo('b');
    expect(sent.map(({ to, data, id }) => `${to} ${data.kind} ${id}`)).toEqual([
      'b description insta.1',
      'b candidates insta.2',
    ]);
    const batch = sent[1]?.data;
    expect(batch?.kind === 'candidates' && batch.candidates.length).toBeGreaterThan(0);
  });

  it('should leave out the offer the member already took from the parked seat', async () => {
    const pc = new FakePeerConnection('a');
    const sent: string[] = [];
    const negotiator = new PerfectNegotiator(pc, {
      polite: false,
      instance: 'insta',
      send: (_to, data, id) => sent.push(`${data.kind} ${id}`),
    });
    pc.addTrack();
    await negotiator.negotiationNeeded();
    negotiator.addressTo('b', 'insta.1');
    expect(sent).toEqual([]);
  });
});

describe('batchHeldSignals', () => {
  it('should merge runs of candidates under the first id and keep everything else in order', () => {
    const candidate = (n: number): SignalPayload => ({
      kind: 'candidate',
      candidate: { candidate: `candidate:${n}`, sdpMid: '0', sdpMLineIndex: 0, usernameFragment: null },
    });
    const offer: SignalPayload = { kind: 'description', description: { type: 'offer', sdp: 'v=0' } };
    const out = batchHeldSignals([
      { data: candidate(1), id: 'i.1' },
      { data: candidate(2), id: 'i.2' },
      { data: offer, id: 'i.3' },
      { data: candidate(3), id: 'i.4' },
    ]);
    expect(
      out.map(({ data, id }) => `${data.kind}${data.kind === 'candidates' ? data.candidates.length : ''} ${id}`),
    ).toEqual(['candidates2 i.1', 'description i.3', 'candidates1 i.4']);
  });
});

describe('when the network delays, reorders and duplicates arbitrarily', () => {
  it('should always converge once everything is delivered', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(), fc.boolean()), { minLength: 1, maxLength: 60 }),
        fc.boolean(),
        async (schedule, restart) => {
          const pair = connectPair();
          pair.peers.a.pc.addTrack();
          pair.peers.b.pc.addTrack();
          let restarted = false;
          let step = 0;
          await pair.settle();
          while (pair.network.length > 0) {
            const [pick, duplicate] = schedule[step % schedule.length] as [number, boolean];
            step += 1;
            const index = pick % pair.network.length;
            const [message] = pair.network.splice(index, 1) as [InFlight];
            if (duplicate && !message.copy) pair.network.push({ ...message, copy: true });
            await pair.deliver(message);
            await pair.settle();
            if (restart && !restarted && step === 3) {
              restarted = true;
              pair.peers.b.pc.restartIce();
              await pair.settle();
            }
          }
          pair.expectConverged();
        },
      ),
      { numRuns: 200 },
    );
  });
});

describe('when the caller refuses a remote description', () => {
  it('should not apply it, nor answer it', async () => {
    const pc = new FakePeerConnection('b');
    const sent: SignalPayload[] = [];
    const refused: string[] = [];
    const negotiator = new PerfectNegotiator(pc, {
      polite: true,
      instance: 'instb',
      send: (_to, data) => sent.push(data),
      acceptRemote: (description) => {
        refused.push(description.type as string);
        return false;
      },
    });
    negotiator.addressTo('a');
    await negotiator.receive(
      incomingSignal('insta.1', { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } }),
    );
    expect(refused).toEqual(['offer']);
    expect(pc.remoteDescription).toBeNull();
    expect(pc.signalingState).toBe('stable');
    expect(sent).toEqual([]);
  });
});
