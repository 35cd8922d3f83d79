/*
 * When to try the signaling socket again after it dropped. Exponential back-off with jitter, so that after a
 * server blip thousands of clients do not all come back in the same millisecond; capped, and never giving up
 * (a call is worth waiting for), but telling the UI once it has been trying for a while.
 */

/** First retry delay; later ones double. */
export const RECONNECT_BASE_DELAY_MS = 250;
/** No retry waits longer than this. */
export const RECONNECT_MAX_DELAY_MS = 10_000;
/** After this many failed attempts in a row the UI says the signaling server is unreachable (retries go on). */
export const RECONNECT_ATTEMPTS_BEFORE_UNREACHABLE = 5;

/** The delay before retry number `attempt` (0 for the first retry). `random` is in [0, 1). */
export function reconnectDelayMs(attempt: number, random: () => number = Math.random): number {
  const ceiling = Math.min(RECONNECT_MAX_DELAY_MS, RECONNECT_BASE_DELAY_MS * 2 ** Math.min(attempt, 20));
  // "Equal jitter": half fixed so the back-off still grows, half random so clients spread out.
  return Math.round(ceiling / 2 + (ceiling / 2) * random());
}

/** True once the attempts so far are enough to tell the user the server cannot be reached. */
export function isUnreachable(failedAttempts: number): boolean {
  return failedAttempts >= RECONNECT_ATTEMPTS_BEFORE_UNREACHABLE;
}
