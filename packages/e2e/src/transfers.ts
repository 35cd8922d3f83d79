import type { AppUser } from './parley-app';
import { waitUntil } from './wait';

/*
 * The file-transfer cards of the chat timeline, read as a person sees them (test-side, no app hook).
 */

/** States in which a transfer is over. */
const FINAL_STATES = ['done', 'failed', 'cancelled', 'declined'];

/** The state of the newest transfer card, e.g. `transferring` or `done`. */
export function newestTransferState(user: AppUser): Promise<string | undefined> {
  return user.page.evaluate(() => {
    const cards = document.querySelectorAll<HTMLElement>('[data-testid="file-transfer"]');
    return cards[cards.length - 1]?.dataset.state;
  }, null);
}

/** Waits until the newest transfer is over and answers how it ended (`done`, `failed`, …). */
export function waitForTransferEnd(user: AppUser, timeoutMs: number, intervalMs?: number): Promise<string> {
  return waitUntil(
    async () => {
      const state = await newestTransferState(user);
      return state !== undefined && FINAL_STATES.includes(state) ? state : undefined;
    },
    { description: `${user.label}: the newest transfer to end`, timeoutMs, intervalMs },
  );
}
