import type { SignalPayload } from '@parley/protocol';

/*
 * Perfect negotiation (W3C WebRTC 1.0, §10.7; webrtc/samples "perfect-negotiation"): both sides run the same code,
 * either may offer at any time, and offer glare resolves itself because the server gives one side the polite role
 * (it yields, rolling back its own offer) and the other the impolite role (it ignores the colliding offer).
 *
 * That pattern assumes an ordered signaling channel; ours may delay, reorder and duplicate. So every message carries
 * an id `<sender instance>.<sequence>` and the receiver restores the sender's order: a sequence number already seen
 * is a duplicate and dropped; one that arrives early waits for the gap before it to fill, up to REORDER_WAIT_MS
 * (a message lost with a dropped socket must not stall the call). Candidates that arrive before the description
 * they belong to (no remote description yet, or another ICE username fragment) are held until it is applied.
 *
 * It also owns everything else about signals, so the session never looks inside one: what we make while nobody is
 * addressed yet (waiting alone, or answering ahead in the lobby) is held until `addressTo`, and then goes out with its
 * candidates batched into one message (the batch's decoder is `#drain`); a signal from a connection the peer has since
 * replaced (a page reload) is recognised by its id, parsed once on arrival (`incomingSignal`).
 * The class talks to a small surface of RTCPeerConnection, so unit tests can drive it with a scripted fake.
 */

/** How long an early message waits for the ones before it before the gap is given up on. */
export const REORDER_WAIT_MS = 2_000;
/** Early messages kept while waiting for a gap; beyond this the gap is given up on at once. */
export const MAX_EARLY_SIGNALS = 200;
/** Candidates held while waiting for their description; a flood beyond this drops the oldest. */
export const MAX_HELD_CANDIDATES = 200;
/** Signals we make while nobody is addressed (an offer, an answer and their candidates); beyond this the oldest go. */
export const MAX_UNADDRESSED_SIGNALS = 200;

/** The parts of RTCPeerConnection that negotiation uses. */
export interface NegotiatingPeerConnection {
  readonly signalingState: RTCSignalingState;
  readonly localDescription: RTCSessionDescriptionInit | null;
  readonly remoteDescription: RTCSessionDescriptionInit | null;
  setLocalDescription(description?: RTCSessionDescriptionInit): Promise<void>;
  setRemoteDescription(description: RTCSessionDescriptionInit): Promise<void>;
  addIceCandidate(candidate: RTCIceCandidateInit): Promise<void>;
}

export interface NegotiatorOptions {
  /** The server-assigned role: the polite side yields in an offer collision. */
  polite: boolean;
  /** A prefix unique to this negotiator (random), so ids never repeat across page loads or calls. */
  instance: string;
  /** Sends a payload to the addressed member through signaling, under a fresh unique id. */
  send(to: string, data: SignalPayload, id: string): void;
  /** Our offer, made while nobody is addressed: the session may leave it with its seat for whoever joins. */
  unaddressedOffer?(offer: RTCSessionDescriptionInit, id: string): void;
  /**
   * Peer negotiator instances replaced by a newer one (page reloads), shared by every negotiator of a call: a late
   * signal from one of them must not restart the call again.
   */
  retired?: Set<string>;
  /** Notes for the debug panel (no SDP bodies). */
  log?(event: string): void;
  /** Whether a remote offer or answer may be applied; one it refuses is dropped (the caller says why). */
  acceptRemote?(description: RTCSessionDescriptionInit): boolean;
}

/** The ICE username fragment of a session description (the first one; all m-lines share it when bundled). */
export function iceUsernameFragment(sdp: string | undefined): string | undefined {
  return sdp ? /^a=ice-ufrag:(\S+)/m.exec(sdp)?.[1] : undefined;
}

/** The id of the `sequence`th message a negotiator instance sends. */
export function signalId(instance: string, sequence: number): string {
  return `${instance}.${sequence}`;
}

/** A signal id split into the sender's negotiator instance and its sequence number. */
export interface SignalId {
  instance: string;
  sequence: number;
}

/** Splits a signal id into the sender's instance and sequence number (undefined if it is not ours). */
export function parseSignalId(id: string | undefined): SignalId | undefined {
  const match = id ? /^([A-Za-z0-9_-]+)\.(\d{1,15})$/.exec(id) : null;
  return match ? { instance: match[1] as string, sequence: Number(match[2]) } : undefined;
}

/** A signal from the peer, its id parsed once on arrival. */
export interface IncomingSignal {
  /** Undefined for an id that is not ours (such a signal is applied as it comes). */
  id: SignalId | undefined;
  data: SignalPayload;
}

/** A signal as it arrives from signaling (or parked with a seat), ready for a negotiator. */
export function incomingSignal(id: string | undefined, data: SignalPayload): IncomingSignal {
  return { id: parseSignalId(id), data };
}

/**
 * What a signal means for the negotiator it is addressed to: `apply` it; it comes from a new connection of the same
 * member (`peer-restarted`: the peer reloaded and resumed its seat, so this call needs a fresh connection); or from a
 * connection already replaced (`stale`: dropped).
 */
export type SignalVerdict = 'apply' | 'peer-restarted' | 'stale';

/** Whether `signal` comes from a peer connection that has since been replaced (one of the `retired` instances). */
export function isStale(signal: IncomingSignal, retired: ReadonlySet<string>): boolean {
  return signal.id !== undefined && retired.has(signal.id.instance);
}

/** A log line for a signal, without SDP bodies: the description type, or the candidate's type. */
function describeSignal(data: SignalPayload): string {
  if (data.kind === 'description') return data.description.type;
  if (data.kind === 'candidates') return `${data.candidates.length} candidates`;
  return `candidate ${/ typ (\w+)/.exec(data.candidate?.candidate ?? '')?.[1] ?? '(end)'}`;
}

/**
 * Signals made while nobody was addressed, as they go out once someone is: in order, the candidates gathered
 * meanwhile as one `candidates` message (under the first one's id; the receiver counts it as that many, see `#drain`).
 */
export function batchHeldSignals(held: readonly HeldSignal[]): HeldSignal[] {
  const out: HeldSignal[] = [];
  for (const { data, id } of held) {
    const batch = out[out.length - 1]?.data;
    if (data.kind !== 'candidate' || !data.candidate) out.push({ data, id });
    else if (batch?.kind === 'candidates') batch.candidates.push(data.candidate);
    else out.push({ data: { kind: 'candidates', candidates: [data.candidate] }, id });
  }
  return out;
}

/** A signal made while nobody was addressed, with the id it goes out under. */
export interface HeldSignal {
  data: SignalPayload;
  id: string;
}

/** Runs perfect negotiation for one RTCPeerConnection with one peer. */
export class PerfectNegotiator {
  #makingOffer = false;
  #ignoreOffer = false;
  #sequence = 0;
  /** The peer negotiator instance we are talking to, fixed by its first message. */
  #peer: string | undefined;
  #nextPeerSequence = 1;
  readonly #early = new Map<number, SignalPayload>();
  #gapTimer: ReturnType<typeof setTimeout> | undefined;
  #heldCandidates: RTCIceCandidateInit[] = [];
  /** Incoming messages are handled one at a time, in arrival order. */
  #queue: Promise<void> = Promise.resolve();
  #closed = false;
  /** The member our signals go to; until it is known, they are held in `#unaddressed`. */
  #to: string | undefined;
  #unaddressed: HeldSignal[] = [];

  readonly #pc: NegotiatingPeerConnection;
  readonly #options: NegotiatorOptions;

  constructor(pc: NegotiatingPeerConnection, options: NegotiatorOptions) {
    this.#pc = pc;
    this.#options = options;
  }

  /** Call from `negotiationneeded` (also fired by `restartIce()`). */
  async negotiationNeeded(): Promise<void> {
    // The first offer of a call is always the impolite side's (it always has something to offer: the data
    // channels). The polite side's would only be ignored and rolled back, and Chromium rolled back mid-gathering may
    // never gather again (seen in relay-only calls). Its own tracks ride on its answer; anything left over fires
    // negotiationneeded again once that first exchange is done.
    if (this.#options.polite && !this.#pc.remoteDescription) return;
    this.#makingOffer = true;
    await this.#describe('offer');
    this.#makingOffer = false;
  }

  /** Call from `icecandidate`; end-of-candidates (null) is not sent, since trickle without it works everywhere. */
  localCandidate(candidate: RTCIceCandidateInit | null | undefined): void {
    if (!candidate || this.#closed) return;
    this.#send({
      kind: 'candidate',
      candidate: {
        candidate: candidate.candidate ?? '',
        sdpMid: candidate.sdpMid ?? null,
        sdpMLineIndex: candidate.sdpMLineIndex ?? null,
        usernameFragment: candidate.usernameFragment ?? null,
      },
    });
  }

  /**
   * From now on our signals go to `memberId`; those made before go out at once, batched (all but the one whose id is
   * `skip`: the offer the member already took from our parked seat).
   */
  addressTo(memberId: string, skip?: string): void {
    this.#to = memberId;
    for (const { data, id } of batchHeldSignals(this.#unaddressed.splice(0)))
      if (id !== skip) this.#options.send(memberId, data, id);
  }

  /** What `signal` (from the member this negotiator talks to) means here; a restart retires the old connection. */
  verdict(signal: IncomingSignal): SignalVerdict {
    if (this.#options.retired && isStale(signal, this.#options.retired)) return 'stale';
    const instance = signal.id?.instance;
    if (!instance || !this.#peer || instance === this.#peer) return 'apply';
    this.#options.retired?.add(this.#peer);
    return 'peer-restarted';
  }

  /**
   * Takes a signal relayed from the peer. Messages are applied one at a time in the sender's order; the returned
   * promise settles when everything that could be applied so far has been.
   */
  receive(signal: IncomingSignal): Promise<void> {
    if (this.#closed) return this.#queue;
    const { id: parsed, data } = signal;
    this.#options.log?.(`← ${describeSignal(data)}`);
    if (!parsed) return this.#apply(data);
    this.#peer ??= parsed.instance;
    if (parsed.instance !== this.#peer) {
      return this.#queue;
    }
    if (parsed.sequence < this.#nextPeerSequence || this.#early.has(parsed.sequence)) {
      return this.#queue;
    }
    this.#early.set(parsed.sequence, data);
    if (this.#early.size > MAX_EARLY_SIGNALS) this.#skipGap();
    this.#drain();
    return this.#queue;
  }

  /** Stops sending and receiving; messages still in flight are ignored. */
  close(): void {
    this.#closed = true;
    clearTimeout(this.#gapTimer);
    this.#early.clear();
    this.#unaddressed = [];
  }

  #drain(): void {
    for (let data = this.#early.get(this.#nextPeerSequence); data; data = this.#early.get(this.#nextPeerSequence)) {
      this.#early.delete(this.#nextPeerSequence);
      // A batch of candidates stands for as many messages (its id is the first one's).
      this.#nextPeerSequence += data.kind === 'candidates' ? data.candidates.length : 1;
      void this.#apply(data);
    }
    if (this.#early.size === 0) {
      clearTimeout(this.#gapTimer);
      this.#gapTimer = undefined;
    } else {
      // The window counts from when the gap opened; later arrivals do not extend it.
      this.#gapTimer ??= setTimeout(() => {
        this.#gapTimer = undefined;
        this.#skipGap();
      }, REORDER_WAIT_MS);
    }
  }

  /** Gives up on missing messages: continues from the earliest one that did arrive. */
  #skipGap(): void {
    if (this.#early.size === 0) return;
    this.#nextPeerSequence = Math.min(...this.#early.keys());
    this.#drain();
  }

  #apply(data: SignalPayload): Promise<void> {
    this.#queue = this.#queue.then(() => this.#handle(data)).catch(() => undefined);
    return this.#queue;
  }

  #send(data: SignalPayload): void {
    this.#sequence += 1;
    const id = signalId(this.#options.instance, this.#sequence);
    this.#options.log?.(`→ ${describeSignal(data)}`);
    if (this.#to !== undefined) {
      this.#options.send(this.#to, data, id);
      return;
    }
    this.#unaddressed.push({ data, id });
    if (this.#unaddressed.length > MAX_UNADDRESSED_SIGNALS) this.#unaddressed.shift();
    if (data.kind === 'description' && data.description.type === 'offer')
      this.#options.unaddressedOffer?.(data.description, id);
  }

  async #handle(data: SignalPayload): Promise<void> {
    if (this.#closed) return;
    if (data.kind === 'description') await this.#handleDescription(data.description);
    else
      for (const candidate of data.kind === 'candidates' ? data.candidates : [data.candidate]) {
        if (candidate) await this.#handleCandidate(candidate);
      }
  }

  async #handleDescription(description: RTCSessionDescriptionInit): Promise<void> {
    if (description.type !== 'offer' && description.type !== 'answer') return;
    // Incoming messages are serialized, so no remote answer can be mid-flight here (unlike the W3C example).
    const offerCollision = description.type === 'offer' && (this.#makingOffer || this.#pc.signalingState !== 'stable');
    this.#ignoreOffer = !this.#options.polite && offerCollision;
    if (this.#ignoreOffer) {
      return;
    }
    if (description.type === 'answer' && this.#pc.signalingState !== 'have-local-offer') {
      return;
    }
    if (this.#options.acceptRemote && !this.#options.acceptRemote(description)) return;
    try {
      // For the polite side in a collision, this performs an implicit rollback of its own offer.
      await this.#pc.setRemoteDescription(description);
    } catch (error) {
      this.#options.log?.(`set remote ${description.type} failed: ${error}`);
      return;
    }
    await this.#applyHeldCandidates();
    if (description.type === 'offer') await this.#describe('answer');
  }

  /** Makes our offer or answer and sends it (unless closed meanwhile, or the state moved on to another type). */
  async #describe(type: 'offer' | 'answer'): Promise<void> {
    try {
      await this.#pc.setLocalDescription();
      const local = this.#pc.localDescription;
      if (!this.#closed && local?.type === type)
        this.#send({ kind: 'description', description: { type, sdp: local.sdp } });
    } catch (error) {
      this.#options.log?.(`${type} failed: ${error}`);
    }
  }

  #belongsToRemoteDescription(candidate: RTCIceCandidateInit): boolean {
    const remote = this.#pc.remoteDescription;
    if (!remote) return false;
    const fragment = candidate.usernameFragment;
    return !fragment || fragment === iceUsernameFragment(remote.sdp);
  }

  async #handleCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    if (!this.#belongsToRemoteDescription(candidate)) {
      this.#heldCandidates.push(candidate);
      if (this.#heldCandidates.length > MAX_HELD_CANDIDATES) this.#heldCandidates.shift();
      return;
    }
    await this.#addCandidate(candidate);
  }

  async #applyHeldCandidates(): Promise<void> {
    const ready = this.#heldCandidates.filter((c) => this.#belongsToRemoteDescription(c));
    this.#heldCandidates = this.#heldCandidates.filter((c) => !ready.includes(c));
    for (const candidate of ready) await this.#addCandidate(candidate);
  }

  async #addCandidate(candidate: RTCIceCandidateInit): Promise<void> {
    try {
      await this.#pc.addIceCandidate(candidate);
    } catch (error) {
      // Candidates of an offer we ignored, or of a superseded ICE generation, are expected to fail.
      if (!this.#ignoreOffer) this.#options.log?.(`candidate rejected: ${error}`);
    }
  }
}
