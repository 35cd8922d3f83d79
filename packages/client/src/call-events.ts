import type { CallTimings } from './call-timings';
import type { Transfer } from './file-transfer';
import type { CallEnding, ProblemKind } from './problems';
import type { CallQuality } from './quality';

/*
 * What a call tells the app (the view): the documented events of CallSession, like LiveKit's RoomEvent. The view shows
 * them and never looks at the connection, the signaling or their timers.
 */

export type CallStatus = 'joining' | 'waiting' | 'connecting' | 'connected' | 'reconnecting' | 'peer-left' | 'ended';

/** Who the other person is and what they send (they announce it over the chat channel). */
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

/** Why a call ended: this person hung up, or a problem ended it (the app shows that problem). */
export type CallEndReason = 'hung-up' | CallEnding;

/** What the UI hears from a call. */
export interface CallEvents {
  status(status: CallStatus): void;
  peer(peer: PeerInfo | undefined): void;
  remoteStream(stream: MediaStream | undefined): void;
  chat(entry: ChatEntry): void;
  transfer(transfer: Transfer<Blob>): void;
  /** A problem to show while the call goes on (Parley keeps trying), or undefined when it went away. */
  problem(kind: ProblemKind | undefined): void;
  /** The connection's quality, and the verification words once known, every QUALITY_INTERVAL_MS while connected. */
  quality(quality: CallQuality, verification: string[] | undefined): void;
  /** The milestones of the call with the current peer, each time one is reached (for the quality panel). */
  timings(timings: CallTimings): void;
  /** The call is over, once: the session has stopped (a hang-up here, or a problem that ends the call). */
  ended(reason: CallEndReason): void;
  log(line: string): void;
}

/** What a session tells nobody (every event does nothing): before Join (a lobby preparing an answer) there is no view. */
export const UNHEARD = new Proxy({}, { get: () => () => undefined }) as CallEvents;
