import { type JoinedMessage, parseServerMessage, type RoomMessage, type ServerMessage } from '@parley/protocol';
import { type CallEndReason, type CallEvents, type CallStatus, type PeerInfo, UNHEARD } from './call-events';
import type { CallOptions } from './call-options';
import { CallClock } from './call-timings';
import type { FileSource, FileTransfers, Transfer } from './file-transfer';
import { IceServers } from './ice-servers';
import { LobbySocket } from './lobby-socket';
import { type IncomingSignal, incomingSignal, isStale } from './negotiation';
import { parkableOffer } from './offer-parking';
import { PeerLink } from './peer-link';
import type { PeerMessage } from './peer-messages';
import { QualityWatch } from './quality-watch';
import { ResumeStore } from './resume-store';
import { SignalingClient, type SignalingStatus } from './signaling-client';

/*
 * One person's side of a call (LiveKit's Room): the signaling session, the peer's state, and for each peer that shows
 * up a PeerLink (peer-link.ts: the connection, its negotiation, channels and ICE recovery). It recovers by itself: a
 * dropped signaling socket resumes its seat; a broken media path restarts ICE; a peer that leaves and comes back gets
 * a fresh connection. The app hears of it through CallEvents (call-events.ts).
 *
 * Over 350 lines: what is left here is one state machine — the peer's state and the call's status, moved by
 * signaling, by the connection and by the peer's messages — and it reads best whole. Every part that stands alone has
 * its own file: peer-link, negotiation, ice-recovery, ice-servers, lobby-socket, quality-watch, call-timings,
 * resume-store, offer-parking.
 */

export type { CallEndReason, CallEvents, CallStatus, ChatEntry, PeerInfo } from './call-events';

/** If no media path is found in this long, tell the person (while still trying). */
export const CONNECT_TIMEOUT_MS = 20_000;

export interface CallSessionOptions {
  signalingUrl: string;
  roomId: string;
  options: CallOptions;
  /** Local media to send; may have no tracks (receive-only). */
  localStream: MediaStream;
}

/**
 * Where the call stands with the other person: nobody yet; waiting alone with a connection (and offer) made for
 * whoever comes; answering, ahead of our join, the offer a waiting member parked; or in a call with a member.
 */
type PeerState =
  | { kind: 'none' }
  | { kind: 'waiting-alone'; link: PeerLink }
  | { kind: 'answering-ahead'; link: PeerLink; memberId: string; offerId: string | undefined }
  | { kind: 'in-call'; link: PeerLink; memberId: string; info: PeerInfo };

const NOBODY: PeerState = { kind: 'none' };

/** A call in one room, from the lobby (an answer prepared ahead) and join to hang-up. */
export class CallSession {
  #signaling: SignalingClient | undefined;
  #lobbySocket: LobbySocket | undefined;
  #events: CallEvents = UNHEARD;
  #polite = false;
  readonly #iceServers: IceServers;
  #peer: PeerState = NOBODY;
  #status: CallStatus = 'joining';
  #connectTimer: ReturnType<typeof setTimeout> | undefined;
  readonly #quality = new QualityWatch({
    quality: (quality, words) => this.#events.quality(quality, words),
    tampered: (link, why) => this.#tampered(link, why),
  });
  #media = { audio: false, video: false, screen: false };
  #ended = false;
  #endReason: CallEndReason | undefined;
  /** The screen we share (its own track and m-line, so the other side sees it beside our camera). */
  #screen: MediaStreamTrack | null = null;
  /** Negotiator instances of the peer that it has replaced (page reloads). */
  readonly #retired = new Set<string>();
  readonly #clock = new CallClock((timings) => this.#events.timings(timings));
  readonly #resume: ResumeStore;

  constructor(private readonly o: CallSessionOptions) {
    this.#resume = new ResumeStore(o.roomId);
    this.#iceServers = new IceServers(o.options, () => this.#signaling?.refreshTurn());
  }

  /**
   * From the lobby: opens the signaling socket that Join will use, and looks into the room through it. `seen` hears
   * who is there (and the offer of someone waiting, see `prepare`); `refused` hears when the server refused the link.
   */
  warmUp(seen: (room: RoomMessage) => void, refused: () => void): void {
    this.#lobbySocket?.close();
    this.#lobbySocket = new LobbySocket({
      url: this.o.signalingUrl,
      roomId: this.o.roomId,
      createSocket: (url) => new WebSocket(url),
      parse: parseServerMessage,
      seen,
      refused,
    });
  }

  /**
   * The members of a room seen from the lobby who are someone else: after a reload, the seat this tab held is still
   * there (held for it to resume), and it is not someone waiting for us.
   */
  othersIn(room: RoomMessage): RoomMessage['members'] {
    const mine = this.#resume.load()?.memberId;
    return room.members.filter((member) => member.memberId !== mine);
  }

  /**
   * From the lobby: someone waits with an offer, so answer it and gather now (our connectivity checks cannot reach
   * them: the offer has no candidates); Join then only has to send the answer. Not when resuming a seat.
   */
  prepare(room: RoomMessage): void {
    const offer = room.offer;
    if (!offer || this.#signaling || this.#ended || this.#peer.kind !== 'none' || this.#resume.load()) return;
    this.#polite = true;
    this.#iceServers.update(offer.iceServers);
    const link = this.#newLink();
    this.#peer = { kind: 'answering-ahead', link, memberId: offer.from, offerId: offer.id };
    void link.negotiator.receive(incomingSignal(offer.id, offer.data));
  }

  /** Joins the room (answering the offer prepared for, if it is still the one waiting). */
  start(name: string | undefined, events: CallEvents): void {
    const o = this.o;
    this.#events = events;
    this.#signaling = new SignalingClient({
      url: o.signalingUrl,
      roomId: o.roomId,
      name,
      initialResume: this.#resume.load(),
      lobbySocket: this.#lobbySocket,
      createSocket: (url) => new WebSocket(url),
      parse: parseServerMessage,
      onJoined: (m) => this.#onJoined(m),
      onMessage: (m) => this.#onServerMessage(m),
      onStatus: (s) => this.#onSignalingStatus(s),
      onEnded: (ending) => this.#end(ending),
      onRefused: () => this.#end('link-refused'),
      log: (line) => this.#events.log(`signaling: ${line}`),
    });
    this.#lobbySocket = undefined;
    this.#setStatus('joining');
    this.#signaling.start();
  }

  /** The lobby was left without joining. */
  discard(): void {
    this.#lobbySocket?.close();
    this.#lobbySocket = undefined;
    this.#end('hung-up');
  }

  /** Hangs up: tells the peer, gives up the seat. */
  async hangUp(): Promise<void> {
    this.#sendToPeer({ type: 'bye' });
    this.#resume.forget();
    this.#closePeer();
    await this.#signaling?.leave();
    this.#end('hung-up');
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
      read: async (offset, length, into) => {
        const { readBlock } = await import('./file-source');
        return readBlock(file.slice(offset, offset + length), into);
      },
    };
    const link = this.#link;
    return link?.channelsOpen ? link.files.send(source) : undefined;
  }

  /** The peer's file transfers (accept, decline, cancel), while a peer is there. */
  get files(): FileTransfers<Blob> | undefined {
    return this.#link?.files;
  }

  /** Puts a new track (another camera or microphone) on the wire, without renegotiating if possible. */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    await this.#link?.replaceTrack(kind, track);
  }

  /** Starts (a track) or stops (null) sharing a screen, on the screen's own m-line: no renegotiation. */
  shareScreen(track: MediaStreamTrack | null): void {
    this.#screen = track;
    this.#link?.shareScreen(track);
  }

  /** The current peer connection, if a peer is there. */
  get connection(): RTCPeerConnection | undefined {
    return this.#link?.pc;
  }

  /** The view showed the peer's first video frame: the last milestone of the call's setup. */
  remoteFrameShown(): void {
    this.#clock.firstFrameShown();
  }

  get #link(): PeerLink | undefined {
    return this.#peer.kind === 'none' ? undefined : this.#peer.link;
  }

  #setStatus(status: CallStatus): void {
    if (this.#ended && status !== 'ended') return;
    this.#status = status;
    this.#events.status(status);
  }

  /** Stops everything; the app hears `ended` once, with the first reason. */
  #end(reason: CallEndReason): void {
    this.#announceEnd(reason);
    if (this.#ended) return;
    this.#closePeer();
    this.#iceServers.stop();
    this.#signaling?.stop();
    this.#setStatus('ended');
    this.#ended = true;
  }

  #announceEnd(reason: CallEndReason): void {
    if (this.#endReason) return;
    this.#endReason = reason;
    this.#events.ended(reason);
  }

  #onSignalingStatus(status: SignalingStatus): void {
    if (status === 'unreachable') this.#events.problem('signaling-unreachable');
    if (status === 'joined') this.#events.problem(undefined);
    // Alone in the room (perhaps with a connection prepared for whoever comes), the lost server is all there is to show.
    const alone = this.#peer.kind !== 'in-call';
    if ((status === 'reconnecting' || status === 'unreachable') && alone) this.#setStatus('reconnecting');
  }

  #onJoined(message: JoinedMessage): void {
    this.#resume.save({ memberId: message.memberId, token: message.resumeToken });
    this.#polite = message.role === 'polite';
    this.#updateIceServers(message.iceServers, message.iceExpiresAt);
    const member = message.members[0];
    const peer = this.#peer;
    if (peer.kind === 'answering-ahead') {
      // The answer made in the lobby is good only if that offer still waits for us, and we answer (polite).
      const stillWaiting = member?.memberId === peer.memberId && message.offer?.id === peer.offerId;
      if (member && stillWaiting && this.#polite) {
        this.#arrive(peer.link, member.memberId, member.name);
        return;
      }
      this.#closePeer();
    }
    if (!member) {
      // Alone and impolite (we offer first): get the connection, offer and TURN allocation ready now, so that the
      // call starts the moment someone joins.
      if (this.#polite || this.#peer.kind === 'in-call') this.#closePeer();
      if (!this.#polite && this.#peer.kind === 'none') this.#peer = { kind: 'waiting-alone', link: this.#newLink() };
      this.#setStatus('waiting');
      return;
    }
    const current = this.#peer;
    if (current.kind !== 'in-call' || current.memberId !== member.memberId) {
      // The offer the other one parked came with `joined`: answer it now, not when it arrives from them.
      const link = this.#callWith(member.memberId, member.name);
      if (message.offer) void link.negotiator.receive(incomingSignal(message.offer.id, message.offer.data));
    } else if (this.#status !== 'connected') this.#setStatus('connecting');
  }

  #onServerMessage(message: Exclude<ServerMessage, { type: 'joined' | 'pong' | 'left' }>): void {
    const peer = this.#peer;
    switch (message.type) {
      case 'peer-joined':
        // Deliveries can repeat: a second notice of the member we already call must not restart the call.
        if (peer.kind === 'in-call' && peer.memberId === message.memberId) return;
        this.#events.log(`peer joined (${message.role})`);
        // Our parked offer came to them with their `joined`: no need to send it again.
        if (peer.kind === 'waiting-alone') this.#arrive(peer.link, message.memberId, message.name, message.offerId);
        else this.#callWith(message.memberId, message.name);
        return;
      case 'peer-left':
        if (peer.kind !== 'in-call' || peer.memberId !== message.memberId) return;
        this.#events.log(`peer left (${message.reason})`);
        this.#signaling?.dropHeldSignals();
        this.#peerLeft();
        return;
      case 'peer-resumed':
        this.#events.log('peer resumed');
        this.#link?.peerResumed();
        return;
      case 'signal':
        this.#onSignal(message.from, incomingSignal(message.id, message.data));
        return;
      case 'turn-credentials':
        this.#events.log('TURN credentials refreshed');
        this.#updateIceServers(message.iceServers, message.iceExpiresAt);
      // Non-fatal errors (unknown-peer after a peer left, etc.) only matter for debugging: nothing to do.
    }
  }

  #onSignal(from: string, signal: IncomingSignal): void {
    const peer = this.#peer;
    if (peer.kind === 'in-call' && peer.memberId === from) {
      const verdict = peer.link.negotiator.verdict(signal);
      // A late message from a connection the peer has since replaced must not make us restart again.
      if (verdict === 'stale') return;
      let link = peer.link;
      if (verdict === 'peer-restarted') {
        // The same member with a new connection: it reloaded the page and resumed its seat.
        this.#events.log('peer restarted');
        link = this.#callWith(from, peer.info.name);
      }
      void link.negotiator.receive(signal);
      return;
    }
    if (isStale(signal, this.#retired)) return;
    // Someone we do not call yet: a call starts with them, unless we are in a call with someone else.
    if (peer.kind === 'in-call' && this.#status !== 'peer-left') return;
    void this.#callWith(from, undefined).negotiator.receive(signal);
  }

  #updateIceServers(servers: JoinedMessage['iceServers'], expiresAt: number): void {
    this.#iceServers.update(servers, expiresAt);
    this.#link?.setConfiguration(this.#iceServers.configuration());
  }

  /** A fresh connection (closing the one before), for the peer to come or the one that is here. */
  #newLink(): PeerLink {
    this.#closePeer();
    const iceServers = this.#iceServers;
    const link: PeerLink = new PeerLink({
      polite: this.#polite,
      configuration: iceServers.configuration(),
      udpOnlyConfiguration: () => iceServers.udpOnlyConfiguration(),
      hasUdpTurn: () => iceServers.hasUdpTurn(),
      localStream: this.o.localStream,
      screen: this.#screen,
      retired: this.#retired,
      events: {
        signal: (to, data, id) => this.#signaling?.signal(to, data, id),
        unaddressedOffer: (offer, id) => {
          // Waiting alone with our offer: leave it for whoever is about to join. One the server would refuse as too
          // large simply goes the normal way, after the join.
          const waiting = this.#peer.kind === 'waiting-alone' && this.#peer.link === link;
          const parkable = waiting ? parkableOffer(offer) : undefined;
          if (parkable) this.#signaling?.park(parkable, id);
        },
        remoteTracks: () => this.#showRemote(),
        message: (message) => this.#onPeerMessage(link, message),
        transfer: (transfer) => this.#events.transfer(transfer),
        connectionState: (state) => this.#onConnectionState(link, state),
        channelOpen: () => this.#sendToPeer({ type: 'media', ...this.#media }),
        tampered: (why) => this.#tampered(link, why),
        log: (line) => this.#events.log(line),
      },
    });
    return link;
  }

  /** A call with `memberId` on a fresh connection. */
  #callWith(memberId: string, name: string | undefined): PeerLink {
    const link = this.#newLink();
    this.#arrive(link, memberId, name);
    return link;
  }

  /** The peer is here: its connection (perhaps made ahead) gets its member, and the call starts. */
  #arrive(link: PeerLink, memberId: string, name: string | undefined, alreadyTaken?: string): void {
    const info: PeerInfo = { name, audio: true, video: true, screen: false };
    this.#peer = { kind: 'in-call', link, memberId, info };
    this.#clock.peerArrived();
    // What was made while waiting goes out at once (batched by the negotiator), but for the offer they already took.
    link.negotiator.addressTo(memberId, alreadyTaken);
    this.#events.peer({ ...info });
    this.#events.remoteStream(link.remoteStream(false));
    this.#setStatus('connecting');
    clearTimeout(this.#connectTimer);
    this.#connectTimer = setTimeout(() => {
      if (this.#link !== link || this.#clock.everConnected) return;
      this.#events.problem(link.turnErrors > 0 && this.o.options.forceRelay ? 'turn-unreachable' : 'connection-failed');
    }, CONNECT_TIMEOUT_MS);
  }

  /** Shows the peer's screen while it shares one, else its camera. */
  #showRemote(): void {
    const peer = this.#peer;
    if (peer.kind === 'none') return;
    this.#events.remoteStream(peer.link.remoteStream(peer.kind === 'in-call' && peer.info.screen));
  }

  #onPeerMessage(link: PeerLink, message: PeerMessage): void {
    const peer = this.#peer;
    if (peer.kind !== 'in-call' || peer.link !== link) return;
    if (message.type === 'chat') this.#events.chat({ from: 'peer', text: message.text, at: Date.now() });
    else if (message.type === 'media') {
      peer.info = { ...peer.info, audio: message.audio, video: message.video, screen: message.screen };
      this.#events.peer({ ...peer.info });
      this.#showRemote();
    } else {
      this.#events.log('peer said goodbye');
      this.#peerLeft();
    }
  }

  #peerLeft(): void {
    this.#closePeer(true);
    this.#setStatus('peer-left');
  }

  #onConnectionState(link: PeerLink, state: RTCPeerConnectionState): void {
    if (this.#link !== link) return;
    if (state === 'connected') {
      this.#clock.connected();
      this.#events.problem(undefined);
      this.#setStatus('connected');
      // We offered if we are impolite: that side always makes a connection's first offer (see negotiationNeeded).
      this.#quality.start(link, !this.#polite);
    } else if (state === 'disconnected' || state === 'failed') {
      this.#setStatus('reconnecting'); // ICE recovery (in the link) restarts it if it does not heal
    }
  }

  /**
   * Someone changed the call's connection details on the way (a man in the middle): the call must not go on. In the
   * lobby the prepared answer is just dropped; joining meets the same offer again, and then the person is told.
   */
  #tampered(link: PeerLink, why: string): void {
    this.#events.log(`refused: ${why}`);
    const inLobby = !this.#signaling;
    if (!inLobby) this.#announceEnd('tampered');
    // Torn down in a task of its own, not from inside the negotiation that found the problem.
    setTimeout(() => {
      if (!inLobby) void this.hangUp();
      else if (this.#link === link) this.#closePeer();
    });
  }

  #sendToPeer(message: PeerMessage): boolean {
    return this.#link?.send(message) ?? false;
  }

  /** Closes the connection; `peerLeft` keeps the peer's details on screen (it may come back). */
  #closePeer(peerLeft = false): void {
    const link = this.#link;
    if (!link) return;
    this.#peer = NOBODY;
    clearTimeout(this.#connectTimer);
    this.#quality.stop();
    link.close(peerLeft ? 'The other person left.' : 'The call ended.');
    this.#events.remoteStream(undefined);
    if (!peerLeft) this.#events.peer(undefined);
  }
}
