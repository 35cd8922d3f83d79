/*
 * Keeps the screen on during a call (Screen Wake Lock API): a phone that dims and locks mid-sentence ends the other
 * person's view of you. The browser releases the lock whenever the tab is hidden, so it is taken again each time the
 * tab becomes visible. Where the API is absent, or the browser refuses (battery saver, policy), nothing happens.
 */

/** The part of a `WakeLockSentinel` used here. */
export interface WakeLockSentinelLike {
  readonly released: boolean;
  release(): Promise<void>;
}

/** The part of `navigator.wakeLock` used here. */
export interface WakeLockLike {
  request(type: 'screen'): Promise<WakeLockSentinelLike>;
}

/** The part of `document` used here: whether the tab shows, and when that changes. */
export interface VisibilitySource {
  readonly visibilityState: DocumentVisibilityState;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

/** Holds a screen wake lock while started, taking it again whenever the tab is shown again. */
export class ScreenAwake {
  #sentinel: WakeLockSentinelLike | undefined;
  #requesting: Promise<void> | undefined;
  #started = false;
  readonly #onVisibility = () => void this.#acquire();

  constructor(
    private readonly wakeLock: WakeLockLike | undefined,
    private readonly page: VisibilitySource,
  ) {}

  /** True while the browser keeps the screen on for us. */
  get held(): boolean {
    return !!this.#sentinel && !this.#sentinel.released;
  }

  /** Starts keeping the screen on (from now until {@link stop}). */
  start(): void {
    if (this.#started || !this.wakeLock) return;
    this.#started = true;
    this.page.addEventListener('visibilitychange', this.#onVisibility);
    void this.#acquire();
  }

  /** Lets the screen sleep again. */
  async stop(): Promise<void> {
    if (!this.#started) return;
    this.#started = false;
    this.page.removeEventListener('visibilitychange', this.#onVisibility);
    await this.#requesting;
    const sentinel = this.#sentinel;
    this.#sentinel = undefined;
    if (sentinel && !sentinel.released) await sentinel.release();
  }

  /** Takes the lock if it is wanted, the tab shows (a hidden tab is refused) and none is held. */
  #acquire(): Promise<void> {
    if (!this.#started || !this.wakeLock || this.page.visibilityState !== 'visible' || this.held) {
      return Promise.resolve();
    }
    this.#requesting ??= this.wakeLock
      .request('screen')
      .then(async (sentinel) => {
        // Stopped while the request was pending: give it back at once.
        if (!this.#started) await sentinel.release();
        else this.#sentinel = sentinel;
      })
      .catch(() => undefined) // refused (battery saver, policy, not visible after all): the screen may sleep
      .finally(() => {
        this.#requesting = undefined;
      });
    return this.#requesting;
  }
}
