import {
  type IceServer,
  type JoinedMessage,
  MAX_PARKED_OFFER_BYTES,
  parseServerMessage,
  type RoomMessage,
  randomToken,
  type ServerMessage,
  type SignalPayload,
  scrubOfferAddresses,
} from '@parley/protocol';
import { type CallOptions, iceConfiguration, withoutTcpTurn } from './call-options';
import type { CallVerifier } from './call-verification';
import { preferCompactVideoCodecs } from './codec-preferences';
import { createFileSink } from './file-sink';
import { FILE_BUFFER_LOW_BYTES, type FileSource, FileTransfers, type Transfer } from './file-transfer';
import { descriptionFingerprint } from './fingerprints';
import { PerfectNegotiator, parseSignalId } from './negotiation';
import { decodePeerMessage, encodePeerMessage, type PeerMessage } from './peer-messages';
import type { ProblemKind } from './problems';
import { signalingProblem } from './problems';
import { type CallQuality, type QualityCounters, readQuality, type StatsEntry } from './quality';
import { preferUdpRelay } from './relay-preference';
import { SignalingClient, type SignalingStatus } from './signaling-client';

/*
 * One person's side of a call: the signaling session, and for each peer that shows up an RTCPeerConnection with
 * perfect negotiation, a chat channel and a file channel. It recovers by itself: a dropped signaling socket resumes
 * its seat; a broken media path restarts ICE; a peer that leaves and comes back gets a fresh connection.
 */

/** `disconnected` often heals by itself within a few seconds; restart ICE only if it has not by then. */
export const ICE_DISCONNECTED_GRACE_MS = 3_000;
/** The polite side restarts ICE only if the impolite side's restart has not helped after this long. */
export const POLITE_RESTART_DELAY_MS = 6_000;
/** If no media path is found in this long, tell the person (while still trying). */
export const CONNECT_TIMEOUT_MS = 20_000;
/** Refresh TURN credentials this long before they expire. */
export const TURN_REFRESH_MARGIN_MS = 10 * 60_000;
/** How often the quality panel is refreshed. */
export const QUALITY_INTERVAL_MS = 2_000;
/** Where this tab keeps its seat's resume token, so a reload gets the same seat back. */
const RESUME_STORAGE_PREFIX = 'parley.resume.';

export type CallStatus = 'joining' | 'waiting' | 'connecting' | 'connected' | 'reconnecting' | 'peer-left' | 'ended';

export interface PeerInfo {
  name: string | undefined;
  audio: boolean;
  video: boolean;
  screen: boolean;
}

export interface ChatEntry {
  from: 'me' | 'peer';
  text: string;
  at: number;
}

/** What the UI hears from a call. */
export interface CallEvents {
  status(status: CallStatus): void;
  peer(peer: PeerInfo | undefined): void;
  remoteStream(stream: MediaStream | undefined): void;
  chat(entry: ChatEntry): void;
  transfer(transfer: Transfer<Blob>): void;
  /** A problem to show, or undefined when it went away. */
  problem(kind: ProblemKind | undefined): void;
  /** The connection's quality, and the verification words once known, every QUALITY_INTERVAL_MS while connected. */
  quality(quality: CallQuality, verification: string[] | undefined): void;
  /** Milestones for the quality panel: ms from the peer's arrival to `connected`. */
  connected(setupMs: number): void;
  log(line: string): void;
}

export interface CallSessionOptions {
  signalingUrl: string;
  roomId: string;
  options: CallOptions;
  /** Local media to send; may have no tracks (receive-only). */
  localStream: MediaStream;
}

/** What a session tells nobody: before Join (a lobby preparing an answer) there is no call view to tell. */
const UNHEARD = new Proxy({}, { get: () => () => undefined }) as CallEvents;

interface Peer {
  /** Empty while we wait alone: the connection is ready, its signals are held for whoever joins. */
  memberId: string;
  /** Member id + offer id, while we have answered, ahead of our join, the offer that member parked. */
  answers?: string;
  held: [SignalPayload, string][];
  pc: RTCPeerConnection;
  negotiator: PerfectNegotiator;
  chat: RTCDataChannel;
  files: FileTransfers<Blob>;
  stream: MediaStream;
  /** The peer's shared screen: a video track sent without a stream, beside its camera. */
  screen?: MediaStreamTrack;
  /** Our sender on the screen's m-line (negotiated with the call; it carries no track while we do not share). */
  screenSender?: RTCRtpSender;
  info: PeerInfo;
  startedAt: number;
  connectedOnce: boolean;
  turnErrors: number;
  timers: ReturnType<typeof setTimeout>[];
  /** The certificates this connection uses, and the words they give (loaded once it connects). */
  verifier?: CallVerifier;
}

/** The signaling socket opened ahead of Join (in the lobby), so that joining skips the handshake. */
let warmSocket: WebSocket | undefined;

/**
 * Opens a signaling socket for the next call to use (closing one opened before and not used), and looks into the
 * room through it (`peek`): `seen` hears who is there, and the offer of someone waiting, to answer ahead of Join.
 * `refused` hears when the socket closed before it opened: the server refused the link, or cannot be reached.
 */
export function warmUpSignaling(
  url: string,
  roomId: string,
  seen: (room: RoomMessage) => void,
  refused: () => void,
): void {
  warmSocket?.close();
  const socket = new WebSocket(url);
  warmSocket = socket;
  let opened = false;
  socket.onopen = () => {
    opened = true;
    socket.send(JSON.stringify({ type: 'peek', roomId }));
  };
  socket.onclose = () => {
    if (!opened && warmSocket === socket) refused();
  };
  socket.onmessage = (event) => {
    const message = parseServerMessage(event.data);
    if (message?.type === 'room') seen(message);
  };
}

/** A call in one room, from the lobby (an answer prepared ahead) and join to hang-up. */
export class CallSession {
  #signaling!: SignalingClient;
  #events = UNHEARD;
  #polite = false;
  #iceServers: IceServer[] = [];
  #peer: Peer | undefined;
  #status: CallStatus = 'joining';
  #turnRefreshTimer: ReturnType<typeof setTimeout> | undefined;
  #qualityTimer: ReturnType<typeof setInterval> | undefined;
  #qualityCounters: QualityCounters | undefined;
  #media = { audio: false, video: false, screen: false };
  #ended = false;
  /** The screen we share (its own track and m-line, so the other side sees it beside our camera). */
  #screen: MediaStreamTrack | null = null;
  /** Negotiator instances of the peer that it has replaced (page reloads). */
  readonly #retired = new Set<string>();

  constructor(private readonly o: CallSessionOptions) {}

  /** The seat this tab held in the room before a reload, if any. */
  get #stored() {
    return sessionStorage.getItem(RESUME_STORAGE_PREFIX + this.o.roomId);
  }

  /**
   * From the lobby: someone waits with an offer, so answer it and gather now (our connectivity checks cannot reach
   * them: the offer has no candidates); Join then only has to send the answer. Not when resuming a seat.
   */
  prepare(room: RoomMessage): void {
    const offer = room.offer;
    if (!offer || this.#signaling || this.#ended || this.#peer || this.#stored) return;
    this.#polite = true;
    this.#iceServers = offer.iceServers;
    const peer = this.#startPeer('', undefined);
    peer.answers = offer.from + offer.id;
    void peer.negotiator.receive(offer.id, offer.data);
  }

  /** Joins the room (answering the offer prepared for, if it is still the one waiting). */
  start(name: string | undefined, events: CallEvents): void {
    const o = this.o;
    const stored = this.#stored;
    this.#events = events;
    this.#signaling = new SignalingClient({
      url: o.signalingUrl,
      roomId: o.roomId,
      name,
      initialResume: stored ? JSON.parse(stored) : undefined,
      createSocket: (url) => {
        // The warm socket serves once, and only while it is connecting or open.
        const socket = warmSocket && warmSocket.readyState < WebSocket.CLOSING ? warmSocket : new WebSocket(url);
        warmSocket = undefined;
        return socket;
      },
      parse: parseServerMessage,
      onJoined: (m) => this.#onJoined(m),
      onMessage: (m) => this.#onServerMessage(m),
      onStatus: (s) => this.#onSignalingStatus(s),
      onFatal: (e) => {
        this.#events.problem(signalingProblem(e.code));
        this.#end();
      },
      onRefused: () => {
        this.#events.problem('link-refused');
        this.#end();
      },
      log: (line) => this.#events.log(`signaling: ${line}`),
    });
    this.#setStatus('joining');
    this.#signaling.start();
  }

  /** The lobby was left without joining. */
  discard(): void {
    this.#end();
  }

  /** Hangs up: tells the peer, gives up the seat. */
  async hangUp(): Promise<void> {
    this.#sendToPeer({ type: 'bye' });
    sessionStorage.removeItem(RESUME_STORAGE_PREFIX + this.o.roomId);
    this.#closePeer();
    await this.#signaling.leave();
    this.#end();
  }

  /** The page is going away: say goodbye over the data channel, keep the seat for a reload to resume. */
  pageHidden(): void {
    this.#sendToPeer({ type: 'bye' });
  }

  /** Announces what we send, so the peer can show "muted" or "camera off". */
  setMediaState(state: { audio: boolean; video: boolean; screen: boolean }): void {
    this.#media = state;
    this.#sendToPeer({ type: 'media', ...state });
  }

  /** Sends a chat message; false if there is nobody to send it to yet. */
  sendChat(text: string): boolean {
    if (!this.#sendToPeer({ type: 'chat', text })) return false;
    this.#events.chat({ from: 'me', text, at: Date.now() });
    return true;
  }

  sendFile(file: File): Transfer<Blob> | undefined {
    const source: FileSource = {
      name: file.name,
      size: file.size,
      type: file.type,
      read: async (offset, length) => new Uint8Array(await file.slice(offset, offset + length).arrayBuffer()),
    };
    return this.#peer?.chat.readyState === 'open' ? this.#peer.files.send(source) : undefined;
  }

  /** The peer's file transfers (accept, decline, cancel), while a peer is there. */
  get files(): FileTransfers<Blob> | undefined {
    return this.#peer?.files;
  }

  /** Puts a new track (another camera or microphone) on the wire, without renegotiating if possible. */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    const pc = this.#peer?.pc;
    if (!pc) return;
    const transceiver = pc
      .getTransceivers()
      .find((t) => t.currentDirection !== 'stopped' && t.receiver.track.kind === kind);
    if (!transceiver) {
      if (track) pc.addTrack(track, this.o.localStream); // nothing of this kind yet: negotiates a new m-line
      return;
    }
    await transceiver.sender.replaceTrack(track);
    if (track && (transceiver.direction === 'recvonly' || transceiver.direction === 'inactive')) {
      // We joined receive-only for this kind; sending now needs one renegotiation.
      transceiver.sender.setStreams(this.o.localStream);
      transceiver.direction = transceiver.direction === 'recvonly' ? 'sendrecv' : 'sendonly';
    }
  }

  /** Starts (a track) or stops (null) sharing a screen, on the screen's own m-line: no renegotiation. */
  shareScreen(track: MediaStreamTrack | null): void {
    this.#screen = track;
    if (this.#peer) this.#sendScreen(this.#peer);
  }

  #sendScreen(peer: Peer): void {
    void peer.screenSender?.replaceTrack(this.#screen);
  }

  /** Shows the peer's screen while it shares one, else its camera. */
  #showRemote(peer: Peer): void {
    const screen = peer.info.screen && peer.screen;
    this.#events.remoteStream(screen ? new MediaStream([...peer.stream.getAudioTracks(), screen]) : peer.stream);
  }

  /** The current peer connection, if a peer is there. */
  get connection(): RTCPeerConnection | undefined {
    return this.#peer?.pc;
  }

  #setStatus(status: CallStatus): void {
    if (this.#ended && status !== 'ended') return;
    this.#status = status;
    this.#events.status(status);
  }

  #end(): void {
    if (this.#ended) return;
    this.#closePeer();
    clearTimeout(this.#turnRefreshTimer);
    this.#signaling?.stop();
    this.#setStatus('ended');
    this.#ended = true;
  }

  #onSignalingStatus(status: SignalingStatus): void {
    if (status === 'unreachable') this.#events.problem('signaling-unreachable');
    if (status === 'joined') this.#events.problem(undefined);
    // Alone in the room (perhaps with a connection prepared for whoever comes), the lost server is all there is to show.
    const alone = !this.#peer?.memberId;
    if ((status === 'reconnecting' || status === 'unreachable') && alone) this.#setStatus('reconnecting');
  }

  #onJoined(message: JoinedMessage): void {
    sessionStorage.setItem(
      RESUME_STORAGE_PREFIX + this.o.roomId,
      JSON.stringify({ memberId: message.memberId, token: message.resumeToken }),
    );
    this.#polite = message.role === 'polite';
    this.#updateIceServers(message.iceServers, message.iceExpiresAt);
    const member = message.members[0];
    const peer = this.#peer;
    if (peer?.answers) {
      // The answer made in the lobby is good only if that offer still waits for us, and we answer (polite).
      if (member && peer.answers === member.memberId + message.offer?.id && this.#polite) {
        this.#arrive(peer, member.memberId, member.name);
        return;
      }
      this.#closePeer();
    }
    if (!member) {
      // Alone and impolite (we offer first): get the connection, offer and TURN allocation ready now, so that the
      // call starts the moment someone joins.
      if (this.#polite || this.#peer?.memberId) this.#closePeer();
      if (!this.#polite && !this.#peer) this.#startPeer('', undefined);
      this.#setStatus('waiting');
      return;
    }
    if (this.#peer?.memberId !== member.memberId) {
      // The offer the other one parked came with `joined`: answer it now, not when it arrives from them.
      const fresh = this.#startPeer(member.memberId, member.name);
      if (message.offer) void fresh.negotiator.receive(message.offer.id, message.offer.data);
    } else if (this.#status !== 'connected') this.#setStatus('connecting');
  }

  #onServerMessage(message: Exclude<ServerMessage, { type: 'joined' | 'pong' | 'left' }>): void {
    switch (message.type) {
      case 'peer-joined':
        // Deliveries can repeat: a second notice of the member we already call must not restart the call.
        if (this.#peer?.memberId === message.memberId) return;
        this.#events.log(`peer joined (${message.role})`);
        // Our parked offer came to them with their `joined`: no need to send it again.
        if (this.#peer?.memberId === '') this.#arrive(this.#peer, message.memberId, message.name, message.offerId);
        else this.#startPeer(message.memberId, message.name);
        return;
      case 'peer-left':
        if (this.#peer?.memberId !== message.memberId) return;
        this.#events.log(`peer left (${message.reason})`);
        this.#signaling.dropHeldSignals();
        this.#closePeer(true);
        this.#setStatus('peer-left');
        return;
      case 'peer-resumed':
        this.#events.log('peer resumed');
        if (this.#peer && !this.#polite && this.#peer.pc.iceConnectionState !== 'connected')
          this.#restartIce('peer resumed');
        return;
      case 'signal':
        this.#onSignal(message.from, message.id, message.data);
        return;
      case 'turn-credentials':
        this.#events.log('TURN credentials refreshed');
        this.#updateIceServers(message.iceServers, message.iceExpiresAt);
      // Non-fatal errors (unknown-peer after a peer left, etc.) only matter for debugging: nothing to do.
    }
  }

  #onSignal(from: string, id: string | undefined, data: SignalPayload): void {
    this.#events.log(`← ${describeSignal(data)}`);
    let peer = this.#peer;
    const instance = parseSignalId(id)?.instance;
    // A late message from a connection the peer has since replaced must not make us restart again.
    if (instance && this.#retired.has(instance)) return;
    if (
      peer &&
      peer.memberId === from &&
      instance &&
      peer.negotiator.peerInstance &&
      instance !== peer.negotiator.peerInstance
    ) {
      // The same member with a new connection: it reloaded the page and resumed its seat.
      this.#events.log('peer restarted');
      this.#retired.add(peer.negotiator.peerInstance);
      peer = this.#startPeer(from, peer.info.name);
    } else if (!peer || peer.memberId !== from) {
      if (this.#status === 'peer-left' || !peer?.memberId) peer = this.#startPeer(from, undefined);
      else return;
    }
    void peer.negotiator.receive(id, data);
  }

  #updateIceServers(servers: IceServer[], expiresAt: number): void {
    this.#iceServers = servers;
    if (this.#peer) this.#peer.pc.setConfiguration(iceConfiguration(servers, this.o.options));
    clearTimeout(this.#turnRefreshTimer);
    const refreshIn = Math.max(30_000, expiresAt - Date.now() - TURN_REFRESH_MARGIN_MS);
    this.#turnRefreshTimer = setTimeout(() => this.#signaling.refreshTurn(), refreshIn);
  }

  #startPeer(memberId: string, name: string | undefined): Peer {
    this.#closePeer();
    const pc = new RTCPeerConnection(iceConfiguration(this.#iceServers, this.o.options));
    const negotiator = new PerfectNegotiator(pc, {
      polite: this.#polite,
      instance: randomToken(6),
      send: (data, id) => {
        this.#events.log(`→ ${describeSignal(data)}`);
        if (peer.memberId) return this.#signaling.signal(peer.memberId, data, id);
        peer.held.push([data, id]);
        // Waiting alone with our offer: leave it (without any address or port) for whoever is about to join. One
        // the server would refuse as too large simply goes the normal way, after the join.
        if (data.kind === 'description' && data.description.type === 'offer' && !peer.answers) {
          const sdp = scrubOfferAddresses(data.description.sdp ?? '');
          if (new TextEncoder().encode(sdp).length <= MAX_PARKED_OFFER_BYTES) {
            this.#signaling.park({ kind: 'description', description: { type: 'offer', sdp } }, id);
          }
        }
      },
      log: (line) => this.#events.log(`negotiation: ${line}`),
      acceptRemote: (description) => {
        const { refused } = descriptionFingerprint(description.sdp ?? '');
        if (refused) this.#tampered(peer, `remote ${description.type} refused: ${refused}`);
        return !refused;
      },
    });
    const chat = pc.createDataChannel('chat', { negotiated: true, id: 0 });
    const fileChannel = pc.createDataChannel('files', { negotiated: true, id: 1 });
    fileChannel.binaryType = 'arraybuffer';
    fileChannel.bufferedAmountLowThreshold = FILE_BUFFER_LOW_BYTES;
    const files = new FileTransfers<Blob>(
      // The channel itself (bufferedAmount, send), with a way to wait for its buffer to drain.
      Object.assign(fileChannel, {
        drained: () =>
          new Promise<void>((resolve) => {
            const done = () => {
              fileChannel.removeEventListener('bufferedamountlow', done);
              fileChannel.removeEventListener('close', done);
              resolve();
            };
            fileChannel.addEventListener('bufferedamountlow', done);
            fileChannel.addEventListener('close', done);
          }),
      }),
      createFileSink,
      (transfer) => this.#events.transfer({ ...transfer }),
    );
    const peer: Peer = {
      memberId,
      held: [],
      pc,
      negotiator,
      chat,
      files,
      stream: new MediaStream(),
      info: { name, audio: true, video: true, screen: false },
      startedAt: performance.now(),
      connectedOnce: false,
      turnErrors: 0,
      timers: [],
    };
    this.#peer = peer;

    for (const track of this.o.localStream.getTracks()) pc.addTrack(track, this.o.localStream);
    if (!this.#polite) {
      // The first offer is always ours and lays out the m-lines: microphone, camera, then the screen (a sender
      // without a stream), whatever we have to send. Sharing is then only replaceTrack on both sides (see ontrack),
      // so two people starting to share at once cannot collide (Chromium's polite side breaks on that rollback).
      for (const kind of ['audio', 'video'])
        if (!this.o.localStream.getTracks().some((t) => t.kind === kind))
          pc.addTransceiver(kind, { direction: 'recvonly' });
      pc.addTransceiver('video');
      // Our offers list fewer video codec variants, so the offer fits the parked-offer limit (codec-preferences.ts).
      for (const transceiver of pc.getTransceivers())
        if (transceiver.receiver.track.kind === 'video') preferCompactVideoCodecs(transceiver);
    }
    pc.onnegotiationneeded = () => void negotiator.negotiationNeeded();
    pc.onicecandidate = (event) => negotiator.localCandidate(event.candidate?.toJSON());
    pc.onicecandidateerror = (event) => {
      const e = event as RTCPeerConnectionIceErrorEvent;
      this.#events.log(`ICE candidate error ${e.errorCode} ${e.errorText} (${e.url})`);
      if (e.url?.startsWith('turn')) peer.turnErrors += 1;
    };
    pc.ontrack = (event) => {
      if (!event.streams.length) {
        // The screen's m-line, live once the first exchange is done; the polite side makes it two-way.
        peer.screen = event.track;
        event.transceiver.direction = 'sendrecv';
        peer.screenSender = event.transceiver.sender;
        this.#sendScreen(peer);
      } else {
        // One microphone and one camera: a receiver replaced in renegotiation (e.g. after a rollback) brings a
        // new track, and the old one must go or the <video> keeps playing the silent old track.
        for (const old of peer.stream.getTracks()) if (old.kind === event.track.kind) peer.stream.removeTrack(old);
        peer.stream.addTrack(event.track);
      }
      event.track.onended = () => peer.stream.removeTrack(event.track);
      this.#showRemote(peer);
    };
    pc.onconnectionstatechange = () => this.#onConnectionState(peer);
    preferUdpRelay(pc, {
      udpOnly: () => iceConfiguration(withoutTcpTurn(this.#iceServers), this.o.options),
      // What this connection may use (`?tcp` leaves no UDP TURN URL), not all the server granted.
      hasUdpTurn: () =>
        withoutTcpTurn(iceConfiguration(this.#iceServers, this.o.options).iceServers as IceServer[]).some((server) =>
          server.urls.some((url) => url.startsWith('turn:')),
        ),
      log: (line) => this.#events.log(line),
    });
    chat.onopen = () => {
      this.#events.log('chat channel open');
      this.#sendToPeer({ type: 'media', ...this.#media });
    };
    chat.onmessage = (event) => this.#onPeerMessage(peer, decodePeerMessage(event.data));
    fileChannel.onmessage = (event) => files.receive(event.data);
    fileChannel.onclose = () => files.close();

    if (memberId) this.#arrive(peer, memberId, name);
    return peer;
  }

  /** The peer is here: its connection (perhaps made ahead) gets its member, and the call starts. */
  #arrive(peer: Peer, memberId: string, name: string | undefined, skip?: string): void {
    peer.memberId = memberId;
    peer.answers = undefined;
    peer.info.name = name;
    peer.startedAt = performance.now();
    // What was made while waiting goes out at once, the candidates gathered meanwhile as one message.
    const out: [SignalPayload, string][] = [];
    for (const [data, id] of peer.held.splice(0)) {
      const batch = out[out.length - 1]?.[0];
      if (data.kind !== 'candidate' || !data.candidate) out.push([data, id]);
      else if (batch?.kind === 'candidates') batch.candidates.push(data.candidate);
      else out.push([{ kind: 'candidates', candidates: [data.candidate] }, id]);
    }
    for (const [data, id] of out) if (id !== skip) this.#signaling.signal(memberId, data, id);
    this.#events.peer({ ...peer.info });
    this.#events.remoteStream(peer.stream);
    this.#setStatus('connecting');
    peer.timers.push(
      setTimeout(() => {
        if (this.#peer !== peer || peer.connectedOnce) return;
        this.#events.problem(
          peer.turnErrors > 0 && this.o.options.forceRelay ? 'turn-unreachable' : 'connection-failed',
        );
      }, CONNECT_TIMEOUT_MS),
    );
  }

  #onPeerMessage(peer: Peer, message: PeerMessage | undefined): void {
    if (!message || this.#peer !== peer) return;
    if (message.type === 'chat') this.#events.chat({ from: 'peer', text: message.text, at: Date.now() });
    else if (message.type === 'media') {
      peer.info = { ...peer.info, audio: message.audio, video: message.video, screen: message.screen };
      this.#events.peer({ ...peer.info });
      this.#showRemote(peer);
    } else {
      this.#events.log('peer said goodbye');
      this.#closePeer(true);
      this.#setStatus('peer-left');
    }
  }

  #onConnectionState(peer: Peer): void {
    if (this.#peer !== peer) return;
    const state = peer.pc.connectionState;
    this.#events.log(`connection ${state}`);
    if (state === 'connected') {
      if (!peer.connectedOnce) {
        peer.connectedOnce = true;
        this.#events.connected(Math.round(performance.now() - peer.startedAt));
      }
      this.#events.problem(undefined);
      this.#setStatus('connected');
      this.#startQuality();
    } else if (state === 'disconnected' || state === 'failed') {
      this.#setStatus('reconnecting');
      // The impolite side restarts a failed connection at once; otherwise wait and see whether it heals.
      if (state === 'failed' && !this.#polite) this.#restartIce('connection failed');
      else
        peer.timers.push(
          setTimeout(
            () => {
              if (this.#peer === peer && peer.pc.connectionState === state) this.#restartIce(`still ${state}`);
            },
            state === 'failed' ? POLITE_RESTART_DELAY_MS : ICE_DISCONNECTED_GRACE_MS,
          ),
        );
    }
  }

  #restartIce(why: string): void {
    const peer = this.#peer;
    if (!peer) return;
    this.#events.log(`ICE restart: ${why}`);
    // Only the impolite side restarts at once, so both sides do not restart at the same moment.
    if (this.#polite && why !== 'still failed') {
      peer.timers.push(
        setTimeout(() => {
          if (this.#peer === peer && peer.pc.connectionState !== 'connected') peer.pc.restartIce();
        }, POLITE_RESTART_DELAY_MS),
      );
      return;
    }
    peer.pc.restartIce();
  }

  #startQuality(): void {
    if (this.#qualityTimer) return;
    const tick = async () => {
      const peer = this.#peer;
      if (!peer) return;
      const pc = peer.pc;
      const stats = [...(await pc.getStats()).values()] as StatsEntry[];
      const quality = readQuality(stats, this.#qualityCounters);
      this.#qualityCounters = quality.counters;
      const evidence = {
        localSdp: pc.currentLocalDescription?.sdp,
        remoteSdp: pc.currentRemoteDescription?.sdp,
        stats,
      };
      if (!peer.verifier) {
        // The words' code loads on its own; quality (and what the view does with it, e.g. the audio-only offer on a
        // thin link, where the load itself can take long) does not wait for it.
        this.#events.quality(quality, undefined);
        void import('./call-verification').then(({ CallVerifier }) => {
          peer.verifier ??= new CallVerifier();
        });
        return;
      }
      // We offered if we are impolite: that side always makes a connection's first offer (see negotiationNeeded).
      const verification = await peer.verifier.check(evidence, !this.#polite);
      if (this.#peer !== peer) return;
      if (verification && 'tampered' in verification) this.#tampered(peer, verification.tampered);
      else this.#events.quality(quality, verification?.words);
    };
    void tick();
    this.#qualityTimer = setInterval(() => void tick(), QUALITY_INTERVAL_MS);
  }

  /**
   * Someone changed the call's connection details on the way (a man in the middle): the call must not go on. In the
   * lobby the prepared answer is just dropped; joining meets the same offer again, and then the person is told.
   */
  #tampered(peer: Peer, why: string): void {
    this.#events.log(`refused: ${why}`);
    const inLobby = !this.#signaling;
    if (!inLobby) this.#events.problem('tampered');
    // Torn down in a task of its own, not from inside the negotiation that found the problem.
    setTimeout(() => {
      if (!inLobby) void this.hangUp();
      else if (this.#peer === peer) this.#closePeer();
    });
  }

  #sendToPeer(message: PeerMessage): boolean {
    const chat = this.#peer?.chat;
    if (chat?.readyState !== 'open') return false;
    chat.send(encodePeerMessage(message));
    return true;
  }

  #closePeer(announce = false): void {
    const peer = this.#peer;
    if (!peer) return;
    this.#peer = undefined;
    for (const timer of peer.timers) clearTimeout(timer);
    clearInterval(this.#qualityTimer);
    this.#qualityTimer = undefined;
    this.#qualityCounters = undefined;
    peer.negotiator.close();
    peer.files.close(announce ? 'The other person left.' : 'The call ended.');
    peer.pc.onconnectionstatechange = null;
    peer.pc.close();
    this.#events.remoteStream(undefined);
    if (!announce) this.#events.peer(undefined);
  }
}

/** A log line for a signal, without SDP bodies: the description type, or the candidate's type. */
function describeSignal(data: SignalPayload): string {
  if (data.kind === 'description') return data.description.type;
  if (data.kind === 'candidates') return `${data.candidates.length} candidates`;
  return `candidate ${/ typ (\w+)/.exec(data.candidate?.candidate ?? '')?.[1] ?? '(end)'}`;
}
