import { randomToken, type SignalPayload } from '@parley/protocol';
import type { CallVerifier } from './call-verification';
import { preferCompactVideoCodecs } from './codec-preferences';
import { FileChannel } from './file-channel';
import { createFileSink } from './file-sink';
import { FileTransfers, type Transfer } from './file-transfer';
import { descriptionFingerprint } from './fingerprints';
import { IceRecovery } from './ice-recovery';
import { PerfectNegotiator } from './negotiation';
import { decodePeerMessage, encodePeerMessage, type PeerMessage } from './peer-messages';

/*
 * One connection with one peer (LiveKit's PCTransport): the RTCPeerConnection, its perfect negotiator and ICE recovery,
 * the chat and file channels, our tracks and theirs, and the screen's own m-line. The session makes a new one for
 * each peer (and each time the peer reloads); it tells the session what happens through `PeerLinkEvents`.
 */

/** What a peer link tells the session. */
export interface PeerLinkEvents {
  /** Sends a signal to the member the link is addressed to. */
  signal(to: string, data: SignalPayload, id: string): void;
  /** Our offer, made before anyone is addressed (see offer-parking.ts). */
  unaddressedOffer(offer: RTCSessionDescriptionInit, id: string): void;
  /** The stream of the peer's microphone and camera changed (a track came or went). */
  remoteTracks(): void;
  message(message: PeerMessage): void;
  transfer(transfer: Transfer<Blob>): void;
  connectionState(state: RTCPeerConnectionState): void;
  /** The chat channel opened: the peer can now hear what we send. */
  channelOpen(): void;
  /** The peer's offer or answer carries connection details that were altered on the way. */
  tampered(why: string): void;
  log(line: string): void;
}

export interface PeerLinkOptions {
  /** The server-assigned role: the polite side yields in an offer collision and never makes a call's first offer. */
  polite: boolean;
  configuration: RTCConfiguration;
  /** The same configuration without TCP TURN URLs (relay steering, relay-preference.ts). */
  udpOnlyConfiguration(): RTCConfiguration;
  /** Whether this connection may use a UDP TURN URL at all (`?tcp` leaves none). */
  hasUdpTurn(): boolean;
  /** Our microphone and camera; may have no tracks (receive-only). */
  localStream: MediaStream;
  /** The screen we share, if any, put on the screen's m-line once it is live. */
  screen: MediaStreamTrack | null;
  /** Peer negotiator instances replaced by page reloads, shared by the call's links (see PerfectNegotiator). */
  retired: Set<string>;
  events: PeerLinkEvents;
}

/** The data channels' ids, negotiated out of band (both sides create them), so they open with the connection. */
const CHAT_CHANNEL_ID = 0;
const FILE_CHANNEL_ID = 1;

/** One RTCPeerConnection with one peer, and everything that rides on it. */
export class PeerLink {
  readonly pc: RTCPeerConnection;
  readonly negotiator: PerfectNegotiator;
  readonly files: FileTransfers<Blob>;
  /** The certificates this connection uses, and the words they give (loaded once it connects). */
  verifier: CallVerifier | undefined;
  /** TURN servers that answered a candidate request with an error (e.g. unreachable, or refused credentials). */
  turnErrors = 0;
  readonly #recovery: IceRecovery;
  readonly #chat: RTCDataChannel;
  /** The peer's microphone and camera. */
  readonly #stream = new MediaStream();
  /** The peer's shared screen: a video track sent without a stream, beside its camera. */
  #remoteScreen: MediaStreamTrack | undefined;
  /** Our sender on the screen's m-line (negotiated with the call; it carries no track while we do not share). */
  #screenSender: RTCRtpSender | undefined;
  #screen: MediaStreamTrack | null;
  readonly #options: PeerLinkOptions;

  constructor(options: PeerLinkOptions) {
    this.#options = options;
    this.#screen = options.screen;
    const events = options.events;
    const pc = new RTCPeerConnection(options.configuration);
    this.pc = pc;
    this.negotiator = new PerfectNegotiator(pc, {
      polite: options.polite,
      instance: randomToken(6),
      retired: options.retired,
      send: events.signal,
      unaddressedOffer: events.unaddressedOffer,
      log: (line) => events.log(`negotiation: ${line}`),
      acceptRemote: (description) => {
        const { refused } = descriptionFingerprint(description.sdp ?? '');
        if (refused) events.tampered(`remote ${description.type} refused: ${refused}`);
        return !refused;
      },
    });
    this.#recovery = new IceRecovery(pc, { polite: options.polite, log: events.log });
    this.#chat = pc.createDataChannel('chat', { negotiated: true, id: CHAT_CHANNEL_ID });
    const fileChannel = pc.createDataChannel('files', { negotiated: true, id: FILE_CHANNEL_ID });
    this.files = new FileTransfers<Blob>(new FileChannel(fileChannel), createFileSink, (transfer) =>
      events.transfer({ ...transfer }),
    );

    const local = options.localStream;
    for (const track of local.getTracks()) pc.addTrack(track, local);
    if (!options.polite) {
      // The first offer is always ours and lays out the m-lines: microphone, camera, then the screen (a sender
      // without a stream), whatever we have to send. Sharing is then only replaceTrack on both sides (see ontrack),
      // so two people starting to share at once cannot collide (Chromium's polite side breaks on that rollback).
      for (const kind of ['audio', 'video'])
        if (!local.getTracks().some((t) => t.kind === kind)) pc.addTransceiver(kind, { direction: 'recvonly' });
      pc.addTransceiver('video');
      // Our offers list fewer video codec variants, so the offer fits the parked-offer limit (codec-preferences.ts).
      for (const transceiver of pc.getTransceivers())
        if (transceiver.receiver.track.kind === 'video') preferCompactVideoCodecs(transceiver);
    }
    pc.onnegotiationneeded = () => void this.negotiator.negotiationNeeded();
    pc.onicecandidate = (event) => this.negotiator.localCandidate(event.candidate?.toJSON());
    pc.onicecandidateerror = (event) => {
      const e = event as RTCPeerConnectionIceErrorEvent;
      events.log(`ICE candidate error ${e.errorCode} ${e.errorText} (${e.url})`);
      if (e.url?.startsWith('turn')) this.turnErrors += 1;
    };
    pc.ontrack = (event) => this.#onTrack(event);
    pc.onconnectionstatechange = () => {
      events.log(`connection ${pc.connectionState}`);
      events.connectionState(pc.connectionState);
      this.#recovery.connectionStateChanged();
    };
    // The relay steering is a chunk of its own, loaded while this connection is set up (it acts once connected, and
    // takes over a connection that got there first); without it, a call just stays on the path it has.
    void import('./relay-preference').then(({ preferUdpRelay }) => {
      if (pc.connectionState === 'closed') return;
      preferUdpRelay(pc, {
        udpOnly: options.udpOnlyConfiguration,
        hasUdpTurn: options.hasUdpTurn,
        log: events.log,
      });
    });
    this.#chat.onopen = () => {
      events.log('chat channel open');
      events.channelOpen();
    };
    this.#chat.onmessage = (event) => {
      const message = decodePeerMessage(event.data);
      if (message) events.message(message);
    };
    fileChannel.onmessage = (event) => this.files.receive(event.data);
    fileChannel.onclose = () => this.files.close();
  }

  /** What to show of the peer: its screen (with its microphone) while it shares one, else its camera. */
  remoteStream(sharing: boolean): MediaStream {
    const screen = sharing && this.#remoteScreen;
    return screen ? new MediaStream([...this.#stream.getAudioTracks(), screen]) : this.#stream;
  }

  /** Sends a message over the chat channel; false while it is not open. */
  send(message: PeerMessage): boolean {
    if (this.#chat.readyState !== 'open') return false;
    this.#chat.send(encodePeerMessage(message));
    return true;
  }

  /** Whether the chat and file channels are open. */
  get channelsOpen(): boolean {
    return this.#chat.readyState === 'open';
  }

  /** Puts a new track (another camera or microphone) on the wire, without renegotiating if possible. */
  async replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void> {
    const pc = this.pc;
    const local = this.#options.localStream;
    const transceiver = pc
      .getTransceivers()
      .find((t) => t.currentDirection !== 'stopped' && t.receiver.track.kind === kind);
    if (!transceiver) {
      if (track) pc.addTrack(track, local); // nothing of this kind yet: negotiates a new m-line
      return;
    }
    await transceiver.sender.replaceTrack(track);
    if (track && (transceiver.direction === 'recvonly' || transceiver.direction === 'inactive')) {
      // We joined receive-only for this kind; sending now needs one renegotiation.
      transceiver.sender.setStreams(local);
      transceiver.direction = transceiver.direction === 'recvonly' ? 'sendrecv' : 'sendonly';
    }
  }

  /** Starts (a track) or stops (null) sharing our screen, on the screen's own m-line: no renegotiation. */
  shareScreen(track: MediaStreamTrack | null): void {
    this.#screen = track;
    void this.#screenSender?.replaceTrack(track);
  }

  /** New TURN credentials (or servers) for this connection. */
  setConfiguration(configuration: RTCConfiguration): void {
    this.pc.setConfiguration(configuration);
  }

  /** The peer's signaling came back (`peer-resumed`): ICE recovery decides whether to restart. */
  peerResumed(): void {
    this.#recovery.peerResumed();
  }

  /** Closes the connection; file transfers in progress end with `why`. */
  close(why: string): void {
    this.#recovery.close();
    this.negotiator.close();
    this.files.close(why);
    this.pc.onconnectionstatechange = null;
    this.pc.close();
  }

  #onTrack(event: RTCTrackEvent): void {
    if (!event.streams.length) {
      // The screen's m-line, live once the first exchange is done; the polite side makes it two-way.
      this.#remoteScreen = event.track;
      event.transceiver.direction = 'sendrecv';
      this.#screenSender = event.transceiver.sender;
      void this.#screenSender.replaceTrack(this.#screen);
    } else {
      // One microphone and one camera: a receiver replaced in renegotiation (e.g. after a rollback) brings a new
      // track, and the old one must go or the <video> keeps playing the silent old track.
      for (const old of this.#stream.getTracks()) if (old.kind === event.track.kind) this.#stream.removeTrack(old);
      this.#stream.addTrack(event.track);
    }
    event.track.onended = () => this.#stream.removeTrack(event.track);
    this.#options.events.remoteTracks();
  }
}
