import { type AppUser, UI } from './parley-app';
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

/**
 * The SHA-256 (hex) of each received file the page has written into its origin private file system: a received file
 * is stored there as it arrives (file-sink.ts), and only kept in memory where that cannot be done.
 */
export function receivedFilesOnDisk(user: AppUser): Promise<string[]> {
  return user.page.evaluate(async () => {
    const digests: string[] = [];
    const root = await navigator.storage.getDirectory();
    for await (const [name, folder] of root as unknown as AsyncIterable<[string, FileSystemHandle]>) {
      if (!name.startsWith('parley-received-') || folder.kind !== 'directory') continue;
      for await (const [, file] of folder as unknown as AsyncIterable<[string, FileSystemFileHandle]>) {
        const digest = await crypto.subtle.digest('SHA-256', await (await file.getFile()).arrayBuffer());
        digests.push([...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join(''));
      }
    }
    return digests;
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

/**
 * Picks a generated file in the page's file input (what choosing it in the dialog does) and answers its SHA-256.
 * The bytes are pseudo-random (xorshift), so compression or a stuck chunk cannot pass unnoticed.
 */
export function pickGeneratedFile(user: AppUser, name: string, size: number): Promise<string> {
  return user.page.evaluate(
    async (file: { selector: string; name: string; size: number }) => {
      const bytes = new Uint8Array(file.size);
      let state = 0x9e3779b9;
      for (let i = 0; i < bytes.length; i += 4) {
        state ^= state << 13;
        state ^= state >>> 17;
        state ^= state << 5;
        bytes[i] = state & 0xff;
        bytes[i + 1] = (state >>> 8) & 0xff;
        bytes[i + 2] = (state >>> 16) & 0xff;
        bytes[i + 3] = (state >>> 24) & 0xff;
      }
      const digest = await crypto.subtle.digest('SHA-256', bytes);
      const input = document.querySelector<HTMLInputElement>(file.selector);
      if (!input) throw new Error('no file input');
      const transfer = new DataTransfer();
      transfer.items.add(new File([bytes], file.name, { type: 'application/octet-stream' }));
      input.files = transfer.files;
      input.dispatchEvent(new Event('change', { bubbles: true }));
      return [...new Uint8Array(digest)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
    },
    { selector: UI.fileInput, name, size },
  );
}
