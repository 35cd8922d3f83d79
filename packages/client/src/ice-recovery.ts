/*
 * ICE recovery for one peer connection: when the media path breaks, restart ICE, but not both sides at once. The
 * impolite side restarts a failed connection at once; the polite side gives the impolite side's restart time to work
 * first. A `disconnected` connection often heals by itself, so it is given a grace period before anything restarts.
 */

/** `disconnected` often heals by itself within a few seconds; restart ICE only if it has not by then. */
export const ICE_DISCONNECTED_GRACE_MS = 3_000;
/** The polite side restarts ICE only if the impolite side's restart has not helped after this long. */
export const POLITE_RESTART_DELAY_MS = 6_000;

/**
 * Why ICE is restarted: the connection failed; it is still disconnected (or still failed) after waiting for it to heal
 * or for the other side's restart; or the peer's signaling resumed while the path was not connected.
 */
export type IceRestartReason = 'connection-failed' | 'still-disconnected' | 'still-failed' | 'peer-resumed';

/** The parts of RTCPeerConnection that ICE recovery uses. */
export interface RecoveringPeerConnection {
  readonly connectionState: RTCPeerConnectionState;
  readonly iceConnectionState: RTCIceConnectionState;
  restartIce(): void;
}

/** Restarts ICE on one connection when its path breaks, with the timing that keeps the two sides from colliding. */
export class IceRecovery {
  readonly #pc: RecoveringPeerConnection;
  readonly #polite: boolean;
  readonly #log: (line: string) => void;
  readonly #timers: ReturnType<typeof setTimeout>[] = [];

  constructor(pc: RecoveringPeerConnection, options: { polite: boolean; log(line: string): void }) {
    this.#pc = pc;
    this.#polite = options.polite;
    this.#log = options.log;
  }

  /** Call on every `connectionstatechange`. */
  connectionStateChanged(): void {
    const state = this.#pc.connectionState;
    if (state !== 'disconnected' && state !== 'failed') return;
    if (state === 'failed' && !this.#polite) {
      this.restart('connection-failed');
      return;
    }
    this.#after(state === 'failed' ? POLITE_RESTART_DELAY_MS : ICE_DISCONNECTED_GRACE_MS, () => {
      if (this.#pc.connectionState === state) this.restart(state === 'failed' ? 'still-failed' : 'still-disconnected');
    });
  }

  /** The peer's signaling came back: if our path is not up, the impolite side restarts ICE (its offer carries it). */
  peerResumed(): void {
    if (!this.#polite && this.#pc.iceConnectionState !== 'connected') this.restart('peer-resumed');
  }

  /**
   * Restarts ICE. The polite side restarts at once only when it has already waited for the impolite side's restart
   * (`still-failed`); otherwise it waits POLITE_RESTART_DELAY_MS first, and then only if the path is still down.
   */
  restart(reason: IceRestartReason): void {
    this.#log(`ICE restart: ${reason}`);
    if (this.#polite && reason !== 'still-failed') {
      this.#after(POLITE_RESTART_DELAY_MS, () => {
        if (this.#pc.connectionState !== 'connected') this.#pc.restartIce();
      });
      return;
    }
    this.#pc.restartIce();
  }

  /** The connection is closed: nothing more is restarted. */
  close(): void {
    for (const timer of this.#timers.splice(0)) clearTimeout(timer);
  }

  #after(ms: number, run: () => void): void {
    this.#timers.push(setTimeout(run, ms));
  }
}
