/*
 * The milestones of a call's setup, measured by the session from the other person's arrival: the media path is
 * connected (`setupMs`), the first video frame is shown (`firstFrameMs`). Each is taken once per arrival.
 */

/** Milestones of the current call, in ms from the other person's arrival. */
export interface CallTimings {
  setupMs?: number;
  firstFrameMs?: number;
}

/** Measures the current peer's call setup and reports each milestone as it is reached. */
export class CallClock {
  #arrivedAt: number | undefined;
  #timings: CallTimings = {};
  readonly #report: (timings: CallTimings) => void;

  constructor(report: (timings: CallTimings) => void) {
    this.#report = report;
  }

  /** A peer arrived: the clock starts again (and the milestones shown so far are cleared). */
  peerArrived(): void {
    this.#arrivedAt = performance.now();
    this.#timings = {};
    this.#report({});
  }

  /** The media path is up (counted the first time since the peer arrived). */
  connected(): void {
    this.#mark('setupMs');
  }

  firstFrameShown(): void {
    this.#mark('firstFrameMs');
  }

  /** Whether the media path has been up since the peer arrived. */
  get everConnected(): boolean {
    return this.#timings.setupMs !== undefined;
  }

  #mark(milestone: keyof CallTimings): void {
    if (this.#arrivedAt === undefined || this.#timings[milestone] !== undefined) return;
    this.#timings = { ...this.#timings, [milestone]: Math.round(performance.now() - this.#arrivedAt) };
    this.#report({ ...this.#timings });
  }
}
