import { canSaveToDisk } from './browser-support';
import type { FileSink } from './file-transfer';

/*
 * Where a received file waits until the person saves it. Chromium keeps the Blobs a page makes in its browser
 * process's memory until they fill a large share of RAM (measured: a 1 GiB file grew the receiving browser process
 * by about 1 GiB), so a received file is written as it arrives into the origin's private file system (OPFS) and
 * handed over as the File on disk. Where that cannot be written (no OPFS or createWritable, storage refused, e.g.
 * Firefox's private windows) it is collected as Blob parts instead. Each page writes into a folder of its own, held
 * by a Web Lock while the page lives; a folder whose lock is free belonged to a page that is gone, and the next
 * page that receives a file removes it.
 */

/** OPFS folders of received files (and their Web Locks) are named this, then a random id. */
const FOLDER_PREFIX = 'parley-received-';

let pageFolder: Promise<FileSystemDirectoryHandle> | undefined;

/** This page's OPFS folder, made on first use after removing the folders of pages that are gone. */
function openPageFolder(): Promise<FileSystemDirectoryHandle> {
  pageFolder ??= (async () => {
    const root = await navigator.storage.getDirectory();
    const name = FOLDER_PREFIX + crypto.randomUUID();
    // The lock is held until the page goes away: its callback's promise never settles.
    await new Promise((held) => navigator.locks.request(name, () => new Promise(held)));
    // Listed before the locks are read: a folder is made only after its lock is held, so none is taken for dead.
    const folders: string[] = [];
    for await (const entry of root.keys()) folders.push(entry);
    const { held } = await navigator.locks.query();
    for (const entry of folders) {
      if (entry.startsWith(FOLDER_PREFIX) && !held?.some((lock) => lock.name === entry)) {
        root.removeEntry(entry, { recursive: true }).catch(() => {});
      }
    }
    return root.getDirectoryHandle(name, { create: true });
  })();
  return pageFolder;
}

/** A file being received: written to OPFS piece by piece where possible, else kept as Blob parts. */
export function createFileSink(): FileSink<Blob> {
  const name = crypto.randomUUID();
  // Safari before 26 has OPFS without createWritable on the page (see browser-support.ts): straight to memory there.
  const disk = (canSaveToDisk() ? openPageFolder() : Promise.reject(new Error('no OPFS writing here')))
    .then(async (folder) => {
      const handle = await folder.getFileHandle(name, { create: true });
      return { folder, handle, writable: await handle.createWritable() };
    })
    .catch(() => undefined);
  const parts: Blob[] = [];
  // Each step waits for the one before, so pieces land in order; after a failed step the rest are skipped and
  // `finish()` rejects. The extra catch only keeps a failure from being reported as unhandled before then.
  let stored: Promise<unknown> = disk;
  const queue = (step: (file: Awaited<typeof disk>) => unknown) => {
    stored = stored.then(() => disk).then(step);
    stored.catch(() => {});
  };
  return {
    // Whole checksum pieces (4 MB), each written as it is: one write per piece, no copy of our own.
    append(piece) {
      const bytes = piece as Uint8Array<ArrayBuffer>;
      queue((file) => (file ? file.writable.write(bytes) : parts.push(new Blob([bytes]))));
    },
    async finish() {
      queue((file) => file?.writable.close());
      await stored;
      return (await disk)?.handle.getFile() ?? new Blob(parts);
    },
    discard() {
      parts.length = 0;
      queue(async (file) => {
        await file?.writable.abort();
        await file?.folder.removeEntry(name);
      });
    },
  };
}
