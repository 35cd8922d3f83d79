/*
 * A received file on disk: written into the origin's private file system (OPFS) as it arrives, by a worker through a
 * sync access handle (file-writer.worker.ts), and handed over as the File on disk. Loaded once a file is accepted.
 * Each page writes into a folder of its own, held by a Web Lock while the page lives; a folder whose lock is free
 * belonged to a page that is gone, and the next page that receives a file removes it.
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

/** What the page asks of the file-writer worker (file-writer.worker.ts). */
export type FileWriterRequest =
  | { op: 'open'; folder: string; name: string }
  | { op: 'write'; bytes: Uint8Array<ArrayBuffer> }
  | { op: 'close' }
  | { op: 'abort' };

/** The worker's answers: to each request (a write's is its buffer, given back), or the first failure. */
export type FileWriterReply =
  | { op: 'opened' | 'closed' | 'aborted' }
  | { op: 'written'; bytes: Uint8Array<ArrayBuffer> }
  | { op: 'failed'; message: string };

/** A received file on disk, written piece by piece by the file-writer worker. */
export interface DiskFile {
  /** Hands the piece's buffer over to the worker (it is detached here, not copied). */
  write(piece: Uint8Array<ArrayBuffer>): void;
  /** The file, once every piece written is in it; rejects if one could not be. */
  close(): Promise<File>;
  /** Removes the file. */
  abort(): Promise<void>;
}

/**
 * Opens a file in this page's OPFS folder through the file-writer worker; rejects where that cannot be done.
 * `written` gets each piece's buffer back once it is in the file.
 */
export async function openDiskFile(name: string, written: (buffer: ArrayBuffer) => void): Promise<DiskFile> {
  const folder = await openPageFolder();
  const worker = new Worker(new URL('./file-writer.worker.ts', import.meta.url), {
    type: 'module',
    name: 'parley-file-writer',
  });
  // One request at a time waits for its answer (the sink's steps run one after the other); writes are not waited for.
  let waiting: { resolve: () => void; reject: (error: Error) => void } | undefined;
  let failure: Error | undefined;
  const fail = (error: Error) => {
    failure ??= error;
    waiting?.reject(failure);
    waiting = undefined;
  };
  worker.onmessage = ({ data }: MessageEvent<FileWriterReply>) => {
    if (data.op === 'failed') return fail(new Error(data.message));
    if (data.op === 'written') return written(data.bytes.buffer);
    waiting?.resolve();
    waiting = undefined;
  };
  worker.onerror = (event) => {
    event.preventDefault(); // reported through the transfer, not as an uncaught error
    fail(new Error('the file writer could not start'));
  };
  const ask = (request: FileWriterRequest) =>
    new Promise<void>((resolve, reject) => {
      // After a failure the worker still removes the file, and answers nothing else.
      if (failure && request.op !== 'abort') return reject(failure);
      waiting = { resolve, reject };
      worker.postMessage(request);
    });
  try {
    await ask({ op: 'open', folder: folder.name, name });
  } catch (error) {
    worker.terminate();
    throw error;
  }
  return {
    write(piece) {
      if (!failure) worker.postMessage({ op: 'write', bytes: piece } satisfies FileWriterRequest, [piece.buffer]);
    },
    async close() {
      try {
        await ask({ op: 'close' });
      } finally {
        worker.terminate();
      }
      return (await folder.getFileHandle(name)).getFile();
    },
    async abort() {
      try {
        await ask({ op: 'abort' });
      } finally {
        worker.terminate();
      }
    },
  };
}
