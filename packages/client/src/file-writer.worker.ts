/*
 * The worker that writes a received file into the origin private file system (OPFS), through a sync access handle:
 * the only OPFS writer that puts the bytes into the file from the page's own process. The page's `createWritable`
 * stream hands every piece to the browser process, which copies and writes it there: measured on a file transfer
 * between two browsers with profiles, that cost the receiving browser process ~190 ms of CPU per 32 MiB (`pnpm bench
 * file-throughput`), on a machine where the transfer is CPU-bound. Sync access handles exist only in dedicated
 * workers, hence this file.
 *
 * The page (file-disk.ts) opens the file, sends the pieces in order, their buffers transferred, not copied, and
 * closes or aborts it; requests are handled one after the other, in the order sent, each answered (a write by its
 * buffer, sent back to be filled again). The first failure is reported once; what comes after it is dropped, except
 * an abort.
 */
import type { FileWriterReply, FileWriterRequest } from './file-disk';

/** The parts of a sync access handle used here (the DOM types leave out what only workers have). */
interface SyncAccessHandle {
  write(buffer: Uint8Array, options: { at: number }): number;
  getSize(): number;
  flush(): void;
  close(): void;
}

interface WorkerScope {
  onmessage: ((event: MessageEvent<FileWriterRequest>) => void) | null;
  postMessage(message: FileWriterReply, transfer?: Transferable[]): void;
}

const scope = globalThis as unknown as WorkerScope;

let folder: FileSystemDirectoryHandle | undefined;
let handle: SyncAccessHandle | undefined;
let fileName = '';
let written = 0;
let failed = false;
// Each request waits for the one before: opening is asynchronous, and writes sent meanwhile must wait for it.
let queue = Promise.resolve();

scope.onmessage = (event) => {
  const request = event.data;
  queue = queue.then(async () => {
    if (failed && request.op !== 'abort') return;
    try {
      const reply = await handleRequest(request);
      if (reply.op === 'written') scope.postMessage(reply, [reply.bytes.buffer]);
      else scope.postMessage(reply);
    } catch (error) {
      failed = true;
      handle?.close();
      handle = undefined;
      scope.postMessage({ op: 'failed', message: error instanceof Error ? error.message : String(error) });
    }
  });
};

async function handleRequest(request: FileWriterRequest): Promise<FileWriterReply> {
  switch (request.op) {
    case 'open': {
      const root = await navigator.storage.getDirectory();
      folder = await root.getDirectoryHandle(request.folder);
      fileName = request.name;
      const file = (await folder.getFileHandle(fileName, { create: true })) as FileSystemFileHandle & {
        createSyncAccessHandle?: () => Promise<SyncAccessHandle>;
      };
      if (typeof file.createSyncAccessHandle !== 'function') throw new Error('no sync access handles here');
      handle = await file.createSyncAccessHandle();
      // Safari before 16.4 had an earlier draft whose methods answer promises: that is no file writer to rely on.
      if (typeof handle.getSize() !== 'number') throw new Error('sync access handles are asynchronous here');
      return { op: 'opened' };
    }
    case 'write': {
      const count = openHandle().write(request.bytes, { at: written });
      if (count !== request.bytes.length) throw new Error(`wrote ${count} of ${request.bytes.length} bytes`);
      written += count;
      // The buffer goes back, for the page to gather another piece in.
      return { op: 'written', bytes: request.bytes };
    }
    case 'close': {
      const open = openHandle();
      open.flush();
      open.close();
      handle = undefined;
      return { op: 'closed' };
    }
    case 'abort': {
      handle?.close();
      handle = undefined;
      await folder?.removeEntry(fileName);
      return { op: 'aborted' };
    }
  }
}

function openHandle(): SyncAccessHandle {
  if (!handle) throw new Error('the file is not open');
  return handle;
}
