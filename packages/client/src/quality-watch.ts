import type { PeerLink } from './peer-link';
import { type CallQuality, type QualityCounters, readQuality, type StatsEntry } from './quality';

/*
 * While a call is connected: every QUALITY_INTERVAL_MS, the connection's quality (from getStats) and, once the
 * verification code has loaded (a lazy chunk), the words both people compare, or the finding that the connection's
 * certificates are not the ones negotiated (tampered).
 */

/** How often the quality panel is refreshed. */
export const QUALITY_INTERVAL_MS = 2_000;

export interface QualityWatchEvents {
  quality(quality: CallQuality, verification: string[] | undefined): void;
  tampered(link: PeerLink, why: string): void;
}

/** Reads one connection's quality and verification words on an interval, from `start` until `stop`. */
export class QualityWatch {
  #timer: ReturnType<typeof setInterval> | undefined;
  #counters: QualityCounters | undefined;
  #link: PeerLink | undefined;
  readonly #events: QualityWatchEvents;

  constructor(events: QualityWatchEvents) {
    this.#events = events;
  }

  /** Starts watching `link` (nothing changes if it is already watched); `offered`: we made its first offer. */
  start(link: PeerLink, offered: boolean): void {
    if (this.#timer) return;
    this.#link = link;
    void this.#tick(link, offered);
    this.#timer = setInterval(() => void this.#tick(link, offered), QUALITY_INTERVAL_MS);
  }

  stop(): void {
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#counters = undefined;
    this.#link = undefined;
  }

  async #tick(link: PeerLink, offered: boolean): Promise<void> {
    const pc = link.pc;
    const stats = [...(await pc.getStats()).values()] as StatsEntry[];
    if (this.#link !== link) return;
    const quality = readQuality(stats, this.#counters);
    this.#counters = quality.counters;
    if (!link.verifier) {
      // The words' code loads on its own; quality (and what the view does with it, e.g. the audio-only offer on a
      // thin link, where the load itself can take long) does not wait for it.
      this.#events.quality(quality, undefined);
      void import('./call-verification').then(({ CallVerifier }) => {
        link.verifier ??= new CallVerifier();
      });
      return;
    }
    const evidence = { localSdp: pc.currentLocalDescription?.sdp, remoteSdp: pc.currentRemoteDescription?.sdp, stats };
    const verification = await link.verifier.check(evidence, offered);
    if (this.#link !== link) return;
    if (verification && 'tampered' in verification) this.#events.tampered(link, verification.tampered);
    else this.#events.quality(quality, verification?.words);
  }
}
