import { createHash } from 'node:crypto';
import { FILE_READ_BYTES } from '@parley/client/file-transfer';
import { describe, expect, it } from 'vitest';
import type { BrowserKind } from './browsers';
import { useCallFixture } from './fixture';
import { type AppUser, startTwoPartyCall, UI } from './parley-app';
import { newestTransferState, pickGeneratedFile, receivedFilesOnDisk } from './transfers';
import { waitUntil } from './wait';

/*
 * Files over the data channel, as a person sends them: picked in the file input, accepted on the other side,
 * progress on both, verified by SHA-256 on the receiving page independently of the app's own check.
 */

const MB = 1024 * 1024;
/** The size: big enough that back-pressure and progress really happen. */
const LARGE_FILE_BYTES = 50 * MB;
/** Long enough on a loaded two-core machine (measured: ~5–15 MB/s on loopback). */
const TRANSFER_DEADLINE_MS = 120_000;

const calls = useCallFixture({ browsers: ['chromium', 'firefox'] });

/** Records every progress value the page's transfer cards show (test-side observer, no app hook). */
function recordProgress(user: AppUser): Promise<void> {
  return user.page.evaluate(() => {
    const seen: number[] = [];
    (window as unknown as { __progressSeen: number[] }).__progressSeen = seen;
    new MutationObserver(() => {
      for (const bar of document.querySelectorAll<HTMLProgressElement>('[data-testid="file-transfer"] progress')) {
        if (seen[seen.length - 1] !== bar.value) seen.push(bar.value);
      }
    }).observe(document.body, { subtree: true, childList: true, attributes: true });
  }, null);
}

function progressSeen(user: AppUser): Promise<number[]> {
  return user.page.evaluate(() => (window as unknown as { __progressSeen?: number[] }).__progressSeen ?? [], null);
}

async function waitForTransferState(user: AppUser, state: string, timeoutMs = TRANSFER_DEADLINE_MS) {
  await waitUntil(async () => (await newestTransferState(user)) === state, {
    description: `${user.label}: newest transfer ${state}`,
    timeoutMs,
  });
}

/** SHA-256 of the file the person saves with the newest "Save" link (the real download, hashed by the test). */
async function savedFileDigest(user: AppUser): Promise<string> {
  const bytes = await user.page.download('[data-testid="file-transfer"] a[download]');
  return createHash('sha256').update(bytes).digest('hex');
}

async function callWithChatOpen(first: BrowserKind = 'chromium', second: BrowserKind = 'chromium') {
  const { a, b } = await startTwoPartyCall(
    calls.ownerLink(),
    { browser: calls.browser(first) },
    { browser: calls.browser(second) },
  );
  calls.track(a, b);
  for (const user of [a, b]) await user.waitForCall();
  // The transfer cards live in the chat timeline: open it on both sides, as a person watching progress would.
  for (const user of [a, b]) await user.page.click(UI.chatToggle);
  return { a, b };
}

describe('when one person sends a 50 MB file and the other accepts it', () => {
  it('should show progress on both sides and deliver the same SHA-256', async () => {
    const { a, b } = await callWithChatOpen();
    await Promise.all([recordProgress(a), recordProgress(b)]);
    const sent = await pickGeneratedFile(a, 'generated-50MB.bin', LARGE_FILE_BYTES);
    await b.waitFor(UI.fileAccept, 'the offered file');
    await b.page.click(UI.fileAccept);
    await Promise.all([waitForTransferState(b, 'done'), waitForTransferState(a, 'done')]);
    expect(await savedFileDigest(b)).toBe(sent);
    expect(await receivedFilesOnDisk(b), 'the received copy, written to disk as it arrived').toEqual([sent]);
    for (const user of [a, b]) {
      const values = await progressSeen(user);
      const partial = values.filter((value) => value > 0 && value < LARGE_FILE_BYTES);
      expect(partial.length, `${user.label} progress values`).toBeGreaterThan(0);
    }
  });
});

describe('when a transfer is cancelled midway', () => {
  it('should stop it on both sides and leave chat and files working', async () => {
    const { a, b } = await callWithChatOpen();
    await pickGeneratedFile(a, 'to-be-cancelled.bin', LARGE_FILE_BYTES);
    await b.waitFor(UI.fileAccept, 'the offered file');
    await b.page.click(UI.fileAccept);
    await waitUntil(
      () =>
        b.page.evaluate(() => {
          const bar = document.querySelector<HTMLProgressElement>('[data-testid="file-transfer"] progress');
          return !!bar && bar.value > 0;
        }, null),
      { description: 'B: the transfer under way' },
    );
    await b.page.click(UI.fileCancel);
    await Promise.all([waitForTransferState(a, 'cancelled'), waitForTransferState(b, 'cancelled')]);

    await a.sendChat('still here after the cancel');
    await b.waitForChat('still here after the cancel');
    const small = await pickGeneratedFile(a, 'after-cancel.bin', MB);
    await waitUntil(async () => (await newestTransferState(b)) === 'offered', { description: 'B: a new offer' });
    await b.page.click(UI.fileAccept);
    await waitForTransferState(b, 'done');
    expect(await savedFileDigest(b)).toBe(small);
  });
});

describe('when files go between Chromium and Firefox', () => {
  it("should deliver them intact both ways, each stored on the receiver's disk", async () => {
    const { a, b } = await callWithChatOpen('chromium', 'firefox');
    // Two whole checksum pieces (a read block is one) and a short one: the receiver gathers in reused buffers too.
    const size = 2 * FILE_READ_BYTES + 12_345;
    for (const [from, to] of [
      [a, b],
      [b, a],
    ] as const) {
      const sent = await pickGeneratedFile(from, `from-${from.page.browser}.bin`, size);
      await waitUntil(async () => (await newestTransferState(to)) === 'offered', {
        description: `${to.label}: the offered file`,
      });
      await to.page.click(UI.fileAccept);
      await Promise.all([waitForTransferState(to, 'done'), waitForTransferState(from, 'done')]);
      // Firefox's downloads cannot be driven here (browsers.ts): there the copy on disk is checked, and the link.
      if (to.page.browser === 'chromium') expect(await savedFileDigest(to), 'saved from Chromium').toBe(sent);
      else expect(await to.page.isVisible({ role: 'link', name: 'Save' }), 'the Save link in Firefox').toBe(true);
      expect(await receivedFilesOnDisk(to), `on ${to.page.browser}'s disk`).toEqual([sent]);
    }
  });
});
