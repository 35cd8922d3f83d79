/** How often conditions are re-checked while waiting: short enough to time call setup, cheap on two cores. */
export const POLL_INTERVAL_MS = 50;

/** The default deadline for a condition: a call on a loaded two-core machine comes up in well under this. */
export const DEFAULT_WAIT_MS = 20_000;

/** Options of {@link waitUntil}. */
export interface WaitOptions {
  /** What is being waited for, for the error message. */
  description: string;
  timeoutMs?: number;
  intervalMs?: number;
}

/**
 * Polls `probe` until it returns something other than `undefined`/`false` and returns that, or throws once the
 * deadline passes (with the last value seen or the last error thrown, to make the failure readable).
 */
export async function waitUntil<T>(
  probe: () => Promise<T | undefined | false> | T | undefined | false,
  { description, timeoutMs = DEFAULT_WAIT_MS, intervalMs = POLL_INTERVAL_MS }: WaitOptions,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let lastError: unknown;
  let lastValue: unknown;
  const timedOut = () => {
    const detail = lastError
      ? `last error: ${(lastError as Error).message ?? lastError}`
      : `last value: ${JSON.stringify(lastValue)}`;
    return new Error(`Timed out after ${timeoutMs} ms waiting for ${description} (${detail})`);
  };
  for (;;) {
    const left = Math.max(0, deadline - Date.now());
    // A probe that never settles (a browser call that hangs) must still end in this deadline's readable error.
    let hung: ReturnType<typeof setTimeout> | undefined;
    const hangs = new Promise<never>((_, reject) => {
      hung = setTimeout(() => reject(new Error(`the probe itself did not answer within ${left} ms`)), left);
    });
    try {
      const value = await Promise.race([probe(), hangs]);
      if (value !== undefined && value !== false) return value;
      lastValue = value;
      lastError = undefined;
    } catch (error) {
      lastError = error;
    } finally {
      clearTimeout(hung);
    }
    await new Promise((resolve) => setTimeout(resolve, intervalMs));
    // Checked after the pause, so that no probe starts with no time left (it could only report that it had none).
    if (Date.now() >= deadline) throw timedOut();
  }
}
