/**
 * Memory of a large file transfer: a generated file (1 GiB unless --mb says otherwise) sent between two Chromium
 * users through the real app and the local runtime (API Gateway stand-in, handlers, dynalite, coturn), picked in
 * the file input from disk and saved from the Save link, as a person does.
 *
 * Each user runs in their own Chromium with a real on-disk profile (not an incognito-like context: off the record,
 * Chromium keeps Blob data and the origin's files in memory by design), so the sender's and the receiver's memory
 * are measured apart. Processes are found in /proc (see ../src/process-memory.ts): the browser process is the one
 * whose command line names that user's profile folder and has no `--type`; its renderers and helpers are its
 * descendants, each with its `--type`. Resident memory (VmRSS) is sampled every SAMPLE_INTERVAL_MS from before the
 * offer until both sides show the transfer done; growth is the peak over the last sample before the offer. The
 * renderers' JS heap comes from `performance.memory` (precise with --enable-precise-memory-info).
 *
 * Timings are of whatever else the machine is doing too: on a shared two-core machine they are noisy.
 *
 * Usage: pnpm bench file-memory [--mb 1024] [--site DIR]   (--site: serve that client build instead of building)
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { launchBrowser, type TestBrowser } from '../src/browsers';
import buildClient from '../src/global-setup';
import { assertFreeDisk, fileSha256, writeGeneratedFile } from '../src/large-file';
import { type AppUser, startTwoPartyCall, UI } from '../src/parley-app';
import { type ChromiumMemory, MemoryWatch } from '../src/process-memory';
import { startTestRuntime } from '../src/runtime';
import { waitForTransferEnd } from '../src/transfers';

const MIB = 1024 * 1024;
const DEFAULT_MB = 1024;
/** Resident memory is read this often during the transfer. */
const SAMPLE_INTERVAL_MS = 250;
/** The transfer is given up below this average rate (a loaded two-core machine manages several MB/s). */
const SLOWEST_BYTES_PER_SECOND = 0.5 * MIB;
/** Disk needed besides the file itself: the receiver's copy in its profile and the saved download. */
const DISK_COPIES = 3;
/** Room left on disk for everything else. */
const DISK_MARGIN_BYTES = 1024 * MIB;
/** Both pages' JS heap is read this often (each read is a round trip into the page). */
const HEAP_SAMPLE_INTERVAL_MS = 1_000;
/** The Save link of a received file. */
const SAVE_LINK = '[data-testid="file-transfer"] a[download]';

const { values } = parseArgs({
  options: { mb: { type: 'string', default: String(DEFAULT_MB) }, site: { type: 'string' } },
});
const size = Math.round(Number(values.mb) * MIB);
if (!(size > 0)) throw new Error(`--mb must be a positive number, not ${values.mb}`);

const mib = (bytes: number) => `${(bytes / MIB).toFixed(0)} MiB`;

async function jsHeapBytes(user: AppUser): Promise<number> {
  return user.page.evaluate(
    () => (performance as unknown as { memory?: { usedJSHeapSize: number } }).memory?.usedJSHeapSize ?? 0,
    null,
  );
}

async function main(): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'parley-file-memory-'));
  const browsers: TestBrowser[] = [];
  let system: Awaited<ReturnType<typeof startTestRuntime>> | undefined;
  try {
    assertFreeDisk(dir, size * DISK_COPIES + DISK_MARGIN_BYTES);
    const path = join(dir, `generated-${values.mb}MB.bin`);
    const started = performance.now();
    const sent = await writeGeneratedFile(path, size);
    console.log(`generated ${mib(size)} in ${((performance.now() - started) / 1000).toFixed(1)} s`);

    if (!values.site) buildClient();
    system = await startTestRuntime(values.site ? { site: { root: values.site } } : {});
    const ownerLink = system.ownerLink() as string;
    const profiles = { sender: join(dir, 'sender-profile'), receiver: join(dir, 'receiver-profile') };
    for (const profileDir of Object.values(profiles)) {
      browsers.push(await launchBrowser('chromium', { profileDir, extraArgs: ['--enable-precise-memory-info'] }));
    }
    const [senderBrowser, receiverBrowser] = browsers as [TestBrowser, TestBrowser];
    const { a, b } = await startTwoPartyCall(ownerLink, { browser: senderBrowser }, { browser: receiverBrowser });
    for (const user of [a, b]) await user.waitForCall();
    for (const user of [a, b]) await user.page.click(UI.chatToggle);

    const heapBaseline = { sender: await jsHeapBytes(a), receiver: await jsHeapBytes(b) };
    const heapPeak = { ...heapBaseline };
    const watches = {
      sender: new MemoryWatch(profiles.sender, SAMPLE_INTERVAL_MS),
      receiver: new MemoryWatch(profiles.receiver, SAMPLE_INTERVAL_MS),
    };
    let transferring = true;
    const heapSampling = (async () => {
      while (transferring) {
        for (const [side, user] of [
          ['sender', a],
          ['receiver', b],
        ] as const) {
          heapPeak[side] = Math.max(heapPeak[side], await jsHeapBytes(user).catch(() => 0));
        }
        await new Promise((resolve) => setTimeout(resolve, HEAP_SAMPLE_INTERVAL_MS));
      }
    })();
    const deadlineMs = 60_000 + (size / SLOWEST_BYTES_PER_SECOND) * 1000;
    let transferMs: number;
    let ends: [string, string];
    try {
      await a.page.pickFile(UI.fileInput, path);
      await b.waitFor(UI.fileAccept, 'the offered file');
      const acceptedAt = performance.now();
      await b.page.click(UI.fileAccept);
      ends = await Promise.all([
        waitForTransferEnd(b, deadlineMs, SAMPLE_INTERVAL_MS),
        waitForTransferEnd(a, deadlineMs, SAMPLE_INTERVAL_MS),
      ]);
      transferMs = performance.now() - acceptedAt;
    } finally {
      for (const watch of Object.values(watches)) watch.stop();
      transferring = false;
      await heapSampling;
    }
    const saved = ends[0] === 'done' ? await fileSha256(await b.page.downloadPath(SAVE_LINK)) : '(not saved)';

    console.log(`\nfile: ${mib(size)}; transfer ${ends[1]} on the sender, ${ends[0]} on the receiver`);
    console.log(`time from Accept to done on both sides: ${(transferMs / 1000).toFixed(1)} s`);
    console.log(`throughput: ${(size / MIB / (transferMs / 1000)).toFixed(1)} MiB/s`);
    console.log(`SHA-256 of the saved file ${saved === sent ? 'matches' : `DIFFERS (${saved} ≠ ${sent})`}`);
    console.log(`\n| side | process | baseline | peak | growth |\n|---|---|---|---|---|`);
    for (const [side, watch] of Object.entries(watches)) {
      const growth = watch.growth();
      for (const role of ['browser', 'renderer', 'other'] as (keyof ChromiumMemory)[]) {
        console.log(
          `| ${side} | ${role} RSS | ${mib(watch.baseline[role])} | ${mib(watch.peak[role])} | ${mib(growth[role])} |`,
        );
      }
      const s = side as 'sender' | 'receiver';
      console.log(
        `| ${side} | JS heap | ${mib(heapBaseline[s])} | ${mib(heapPeak[s])} | ${mib(heapPeak[s] - heapBaseline[s])} |`,
      );
    }
    console.log(`\n(${watches.receiver.samples} memory samples per side, every ${SAMPLE_INTERVAL_MS} ms)`);
    if (saved !== sent || ends.some((end) => end !== 'done')) process.exitCode = 1;
  } finally {
    await Promise.allSettled(browsers.map((browser) => browser.close()));
    await system?.stop();
    await rm(dir, { recursive: true, force: true });
  }
}

await main();
