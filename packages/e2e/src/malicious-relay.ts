import type { PostInterceptor, WebSocketGateway } from '@parley/local';
import type { UserPage } from './browsers';

/*
 * A signaling server that puts itself in the middle of a call, as a hostile operator could: it terminates both legs
 * with peer connections of its own (in a browser page the test drives) — to A, the caller, it answers as if it were
 * B; to B it offers as if it were A — and rewrites every message it relays so that neither notices. It hooks the
 * local API Gateway stand-in's test-only `interceptPosts`; A and B run the unmodified app.
 */

/** How the man in the middle presents itself. */
export type MitmVariant =
  /** A certificate of its own on each leg. */
  | 'own-certificates'
  /** Its own certificate, with the real A's fingerprint listed first as a decoy in the offer it sends B. */
  | 'decoy-to-answerer'
  /** Its own certificate, with the real B's fingerprint listed first as a decoy in the answer it sends A. */
  | 'decoy-to-offerer'
  /** One certificate for both legs. */
  | 'one-certificate';

export const MITM_VARIANTS: readonly MitmVariant[] = [
  'own-certificates',
  'decoy-to-answerer',
  'decoy-to-offerer',
  'one-certificate',
];

type Leg = 'a' | 'b';

interface Signal {
  kind: 'description' | 'candidate' | 'candidates';
  description?: { type: string; sdp?: string };
  candidate?: RTCIceCandidateInit | null;
  candidates?: RTCIceCandidateInit[];
}

/** The attacker page's side: two peer connections, `a` facing A (answering) and `b` facing B (offering). */
interface AttackerApi {
  offer(leg: Leg): Promise<string>;
  answer(leg: Leg, sdp: string): Promise<string>;
  accept(leg: Leg, sdp: string): Promise<void>;
  candidate(leg: Leg, candidate: RTCIceCandidateInit): Promise<void>;
  states(): Record<Leg, string>;
}

/**
 * Runs in the attacker's page. With a capture grant (fake camera) so that Chromium shows real host addresses instead
 * of mDNS names the victims cannot resolve; each leg sends that camera, laid out as Parley lays out a call
 * (microphone, camera, a screen m-line, two negotiated data channels). Descriptions are sent complete (after ICE
 * gathering), so the attacker never has to trickle candidates.
 */
function installAttacker(oneCertificate: boolean): void {
  const ready = (async () => {
    const stream = await navigator.mediaDevices.getUserMedia({ audio: true, video: true });
    const options: RTCCertificate[] = [];
    const algorithm = { name: 'ECDSA', namedCurve: 'P-256' };
    options.push(await RTCPeerConnection.generateCertificate(algorithm));
    options.push(
      oneCertificate ? (options[0] as RTCCertificate) : await RTCPeerConnection.generateCertificate(algorithm),
    );
    const legs: Record<Leg, RTCPeerConnection> = {
      a: new RTCPeerConnection({ certificates: [options[0] as RTCCertificate] }),
      b: new RTCPeerConnection({ certificates: [options[1] as RTCCertificate] }),
    };
    for (const pc of Object.values(legs)) {
      for (const track of stream.getTracks()) pc.addTrack(track, stream);
      pc.createDataChannel('chat', { negotiated: true, id: 0 });
      pc.createDataChannel('files', { negotiated: true, id: 1 });
    }
    legs.b.addTransceiver('video');
    return legs;
  })();
  const gathered = (pc: RTCPeerConnection) =>
    new Promise<void>((resolve) => {
      const check = () => pc.iceGatheringState === 'complete' && resolve();
      pc.addEventListener('icegatheringstatechange', check);
      check();
    });
  const describe = async (pc: RTCPeerConnection) => {
    await pc.setLocalDescription();
    await gathered(pc);
    return pc.localDescription?.sdp ?? '';
  };
  let legs: Record<Leg, RTCPeerConnection> | undefined;
  void ready.then((made) => (legs = made));
  const api: AttackerApi = {
    offer: async (leg) => describe((await ready)[leg]),
    answer: async (leg, sdp) => {
      const pc = (await ready)[leg];
      await pc.setRemoteDescription({ type: 'offer', sdp });
      return describe(pc);
    },
    accept: async (leg, sdp) => (await ready)[leg].setRemoteDescription({ type: 'answer', sdp }),
    candidate: async (leg, candidate) => (await ready)[leg].addIceCandidate(candidate).catch(() => undefined),
    states: () => ({ a: legs?.a.connectionState ?? 'none', b: legs?.b.connectionState ?? 'none' }),
  };
  (window as unknown as { mitm: AttackerApi }).mitm = api;
}

/** The first `a=fingerprint` value of an SDP (`sha-256 AB:…`). */
function firstFingerprint(sdp: string): string {
  const found = /^a=fingerprint:(.+?)\s*$/m.exec(sdp)?.[1];
  if (!found) throw new Error('A description without a fingerprint');
  return found;
}

/** The SDP with `decoy` listed before each of its own fingerprint lines (Firefox accepts any listed line). */
function withDecoy(sdp: string, decoy: string): string {
  return sdp.replace(/^a=fingerprint:.*$/gm, (own) => `a=fingerprint:${decoy}\r\n${own}`);
}

/** A man-in-the-middle signaling server, for one call between A (who waits with a parked offer) and B. */
export class MaliciousRelay {
  readonly #variant: MitmVariant;
  #page: UserPage | undefined;
  #gateway: WebSocketGateway | undefined;
  readonly #members: Partial<Record<Leg, { memberId: string; connectionId: string }>> = {};
  /** Ids of what the attacker sends on each leg (as the other person): its own negotiator instance per leg. */
  readonly #sent: Record<Leg, number> = { a: 0, b: 0 };
  #offerToB: Promise<{ id: string; data: Signal }> | undefined;
  #answerToA: Promise<string> | undefined;
  #answeredA = false;
  #disarmed = false;

  /** A relay that plays `variant`; give its {@link intercept} to the local system, then {@link arm} it. */
  constructor(variant: MitmVariant) {
    this.#variant = variant;
  }

  /**
   * Sets up the attacker's peer connections in `page` (a Chromium page of its own, on the site's origin for a secure
   * context, but not running the app), and the gateway it injects its own messages through.
   */
  async arm(page: UserPage, siteUrl: string, gateway: WebSocketGateway): Promise<void> {
    await page.goto(`${siteUrl}/config.json`);
    await page.evaluate(installAttacker, this.#variant === 'one-certificate');
    this.#page = page;
    this.#gateway = gateway;
  }

  /** The test is over: messages still arriving are dropped without touching the (closing) attacker page. */
  disarm(): void {
    this.#disarmed = true;
  }

  /** The state of the attacker's two connections: `a` faces A, `b` faces B. */
  states(): Promise<Record<Leg, string>> {
    return this.#armed().evaluate(() => (window as unknown as { mitm: AttackerApi }).mitm.states(), null);
  }

  /** Whether A was ever sent an answer (it is not when B refuses the offer the relay sent it). */
  get answeredA(): boolean {
    return this.#answeredA;
  }

  /** The gateway hook: what each connection gets instead of what the handlers posted to it. */
  readonly intercept: PostInterceptor = async ({ connectionId, data }) => {
    if (this.#disarmed) return [];
    try {
      return await this.#rewrite(connectionId, data);
    } catch (error) {
      if (this.#disarmed) return []; // the attacker page closed under a message in flight: the test is over
      throw error;
    }
  };

  async #rewrite(connectionId: string, data: string): Promise<string[]> {
    const message = JSON.parse(data);
    if (message.type === 'joined') {
      const leg: Leg = message.members.length === 0 ? 'a' : 'b';
      this.#members[leg] = { memberId: message.memberId, connectionId };
    }
    if ((message.type === 'joined' || message.type === 'room') && message.offer) {
      message.offer = { ...message.offer, ...(await this.#replaceOffer(message.offer.data.description.sdp)) };
      return [JSON.stringify(message)];
    }
    if (message.type === 'signal') return this.#relaySignal(message.from, message.data);
    return [data];
  }

  /** A's offer: leg `a` answers it (sent once B has answered); B gets the attacker's offer instead. */
  #replaceOffer(sdpFromA: string): Promise<{ id: string; data: Signal }> {
    if (!this.#answerToA) {
      this.#answerToA = this.#call('answer', 'a', sdpFromA);
      // Never awaited when B refuses the offer: a failure then (the page closing after the test) is nobody's concern.
      this.#answerToA.catch(() => undefined);
    }
    this.#offerToB ??= (async () => {
      let sdp = await this.#call('offer', 'b');
      if (this.#variant === 'decoy-to-answerer') sdp = withDecoy(sdp, firstFingerprint(sdpFromA));
      return { id: this.#nextId('b'), data: { kind: 'description', description: { type: 'offer', sdp } } };
    })();
    return this.#offerToB;
  }

  /** A signal between A and B: swallowed, given to the leg facing its sender; what the attacker says instead. */
  async #relaySignal(from: string, data: Signal): Promise<string[]> {
    const leg: Leg | undefined =
      from === this.#members.a?.memberId ? 'a' : from === this.#members.b?.memberId ? 'b' : undefined;
    if (!leg) throw new Error(`A signal from an unknown member ${from}`);
    const candidates = data.kind === 'candidates' ? (data.candidates ?? []) : data.candidate ? [data.candidate] : [];
    for (const candidate of candidates) await this.#call('candidate', leg, candidate);
    const description = data.description;
    if (data.kind !== 'description' || !description?.sdp) return [];
    if (leg === 'a' && description.type === 'offer' && !this.#offerToB) {
      // A's first offer came live (not parked): B gets the attacker's offer in its place.
      this.#inject('b', await this.#replaceOffer(description.sdp));
      return [];
    }
    if (description.type === 'offer') {
      // A renegotiation by either side: the leg facing it answers.
      const answer = await this.#call('answer', leg, description.sdp);
      this.#inject(leg, {
        id: this.#nextId(leg),
        data: { kind: 'description', description: { type: 'answer', sdp: answer } },
      });
      return [];
    }
    if (leg === 'b' && description.type === 'answer') {
      await this.#call('accept', 'b', description.sdp);
      if (this.#answeredA || !this.#answerToA) return [];
      // B answered: now A gets the attacker's answer, as if from B (with B's fingerprint as a decoy, if so played).
      let sdp = await this.#answerToA;
      if (this.#variant === 'decoy-to-offerer') sdp = withDecoy(sdp, firstFingerprint(description.sdp));
      this.#answeredA = true;
      this.#inject('a', { id: this.#nextId('a'), data: { kind: 'description', description: { type: 'answer', sdp } } });
    }
    return [];
  }

  /** Sends a signal to the victim that leg `leg` faces, as if from the other victim. */
  #inject(leg: Leg, signal: { id: string; data: Signal }): void {
    const to = this.#members[leg];
    const from = this.#members[leg === 'a' ? 'b' : 'a'];
    if (!to || !from || !this.#gateway) throw new Error(`Cannot reach ${leg.toUpperCase()} yet`);
    this.#gateway.inject(to.connectionId, JSON.stringify({ type: 'signal', from: from.memberId, ...signal }));
  }

  #armed(): UserPage {
    if (!this.#page) throw new Error('The relay is not armed: call arm() once the local system runs');
    return this.#page;
  }

  #nextId(leg: Leg): string {
    this.#sent[leg] += 1;
    return `mitm${leg}.${this.#sent[leg]}`;
  }

  #call<K extends 'offer' | 'answer' | 'accept' | 'candidate'>(
    method: K,
    ...args: Parameters<AttackerApi[K]>
  ): Promise<Awaited<ReturnType<AttackerApi[K]>>> {
    return this.#armed().evaluate(
      ({ method, args }) =>
        // biome-ignore lint/suspicious/noExplicitAny: the page's API, called by name with JSON arguments
        ((window as unknown as { mitm: any }).mitm[method] as (...a: unknown[]) => Promise<unknown>)(...args),
      { method, args },
    ) as Promise<Awaited<ReturnType<AttackerApi[K]>>>;
  }
}
