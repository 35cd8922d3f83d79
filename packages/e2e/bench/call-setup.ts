/**
 * Call setup through the full stack vs. the browser floor, interleaved in one run.
 *
 * Full stack: the app in two tabs, through the local runtime (API Gateway stand-in, real handlers, dynalite) and
 * coturn, relay over UDP (`?relay`); timed from the second person's click on Join to `connected` and to the first
 * decoded remote video frame on their page.
 * Floor: the same two browsers with SDP and candidates handed over directly by this process (no signaling server,
 * no app) through the same coturn, relay only; timed from the offer to the same two events on the answering page.
 *
 * Usage: pnpm bench call-setup [--runs N]
 */
import { parseArgs } from 'node:util';
import { turnRestCredentials } from '@parley/turn';
import { type BrowserKind, launchBrowser, type TestBrowser } from '../src/browsers';
import { type BlankOrigin, prepareDirectCall, startBlankOrigin } from '../src/direct-call';
import buildClient from '../src/global-setup';
import { rtcSnapshot, waitForConnected } from '../src/media-checks';
import { type AppUser, startTwoPartyCall } from '../src/parley-app';
import type { RtcSnapshot } from '../src/rtc-probe';
import { startTestRuntime } from '../src/runtime';
import { waitUntil } from '../src/wait';

/** The issue's bar: ≥ 10 runs of each kind. */
const DEFAULT_RUNS = 10;
/** Goal: the full stack costs at most 15 % more than the browsers themselves. */
const GOAL_RATIO = 1.15;
const TURN_SECRET = 'bench-call-setup-turn-secret-0123456789';
/** Lifetime of the floor's TURN credentials: longer than the whole benchmark. */
const FLOOR_CREDENTIAL_SECONDS = 3_600;

interface Sample {
  connectedMs: number;
  firstFrameMs: number;
}

const { values } = parseArgs({ options: { runs: { type: 'string', default: String(DEFAULT_RUNS) } } });
const runs = Number(values.runs);

/** Waits until the page's call is connected and a remote frame was decoded; answers both timestamps. */
async function connectedAndFirstFrame(user: { page: AppUser['page'] }, label: string): Promise<RtcSnapshot> {
  await waitForConnected(user.page, label);
  return waitUntil(
    async () => {
      const snapshot = await rtcSnapshot(user.page);
      return snapshot?.connectedAt !== undefined && snapshot.firstFrameAt !== undefined ? snapshot : undefined;
    },
    { description: `${label}: first decoded remote frame` },
  );
}

async function fullStackRun(siteUrl: string, first: TestBrowser, second: TestBrowser): Promise<Sample> {
  const { a, b } = await startTwoPartyCall(
    siteUrl,
    { browser: first, query: '?relay' },
    { browser: second, query: '?relay' },
  );
  try {
    const snapshot = await connectedAndFirstFrame(b, b.label);
    const joinedAt = await b.joinClickedAt();
    if (joinedAt === undefined) throw new Error('the Join click was not recorded');
    return {
      connectedMs: (snapshot.connectedAt as number) - joinedAt,
      firstFrameMs: (snapshot.firstFrameAt as number) - joinedAt,
    };
  } finally {
    await Promise.allSettled([a.close(), b.close()]);
  }
}

/** Floor runs so far: each gets its own TURN user, as each app member does (coturn limits allocations per user). */
let floorRuns = 0;

async function floorRun(origin: BlankOrigin, turnUrls: string[], first: TestBrowser, second: TestBrowser) {
  const caller = await first.newUser();
  const callee = await second.newUser();
  try {
    const credential = turnRestCredentials({
      secret: TURN_SECRET,
      member: `floor-${++floorRuns}`,
      expiresAtSeconds: Math.floor(Date.now() / 1000) + FLOOR_CREDENTIAL_SECONDS,
    });
    const ice = { iceServers: [{ urls: turnUrls, ...credentialFields(credential) }], relayOnly: true };
    const call = await prepareDirectCall(caller, callee, origin, ice);
    const startedAt = await callee.evaluate(() => Date.now(), null);
    await call.start();
    const snapshot = await connectedAndFirstFrame({ page: callee }, `floor ${second.kind}`);
    return {
      connectedMs: (snapshot.connectedAt as number) - startedAt,
      firstFrameMs: (snapshot.firstFrameAt as number) - startedAt,
    };
  } finally {
    await Promise.allSettled([caller.close(), callee.close()]);
  }
}

function credentialFields(credential: { username: string; password: string }) {
  return { username: credential.username, credential: credential.password };
}

function median(values: number[]): number {
  const sorted = [...values].sort((x, y) => x - y);
  const middle = Math.floor(sorted.length / 2);
  return sorted.length % 2
    ? (sorted[middle] as number)
    : ((sorted[middle - 1] as number) + (sorted[middle] as number)) / 2;
}

function row(name: string, samples: Sample[], failed: number): string[] {
  const stat = (pick: (sample: Sample) => number) => {
    const values = samples.map(pick);
    return `${median(values).toFixed(0)} (${Math.min(...values).toFixed(0)}–${Math.max(...values).toFixed(0)})`;
  };
  return [
    name,
    `${samples.length}${failed ? ` (+${failed} failed)` : ''}`,
    stat((s) => s.connectedMs),
    stat((s) => s.firstFrameMs),
  ];
}

function printTable(rows: string[][]): void {
  const header = ['path', 'runs', 'join → connected, ms: median (min–max)', 'join → first frame, ms: median (min–max)'];
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((r) => (r[column] ?? '').length)));
  const line = (cells: string[]) => `| ${cells.map((cell, i) => cell.padEnd(widths[i] as number)).join(' | ')} |`;
  console.log(line(header));
  console.log(`|${widths.map((w) => '-'.repeat(w + 2)).join('|')}|`);
  for (const r of rows) console.log(line(r));
}

async function main(): Promise<void> {
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive whole number');
  buildClient();
  const origin = await startBlankOrigin();
  const browsers: Record<BrowserKind, TestBrowser> = {
    chromium: await launchBrowser('chromium'),
    firefox: await launchBrowser('firefox'),
  };
  const pairs: [BrowserKind, BrowserKind][] = [
    ['chromium', 'chromium'],
    ['chromium', 'firefox'],
    ['firefox', 'chromium'],
  ];
  const results = new Map<string, Sample[]>();
  const failures = new Map<string, number>();
  // A call that does not come up is counted and shown, not allowed to end the run (and its figures).
  const attempt = async (name: string, run: () => Promise<Sample>) => {
    try {
      const sample = await run();
      results.set(name, [...(results.get(name) ?? []), sample]);
    } catch (error) {
      failures.set(name, (failures.get(name) ?? 0) + 1);
      process.stderr.write(`${name}: failed: ${(error as Error).message}\n`);
    }
  };
  try {
    for (let run = 0; run < runs; run++) {
      // A fresh system (and coturn) per run: browsers that close a page do not always release its TURN allocations,
      // and a few hundred calls in minutes would otherwise run into coturn's total allocation quota.
      const system = await startTestRuntime({ turnSecret: TURN_SECRET });
      const udpTurn = system.turnUrls.filter((url) => url.includes('transport=udp'));
      for (const [first, second] of pairs) {
        const pair = `${first} → ${second}`;
        // Interleaved, so drift in machine load hits both paths alike.
        await attempt(`full stack, ${pair}`, () =>
          fullStackRun(system.siteUrl as string, browsers[first], browsers[second]),
        );
        await attempt(`floor, ${pair}`, () => floorRun(origin, udpTurn, browsers[first], browsers[second]));
      }
      await system.stop();
      process.stderr.write(`run ${run + 1}/${runs} done\n`);
    }
  } finally {
    await Promise.allSettled([browsers.chromium.close(), browsers.firefox.close(), origin.close()]);
  }
  console.log(`Call setup over relay UDP through local coturn, ${runs} interleaved runs per path (2-core machine).\n`);
  printTable([...results].map(([name, samples]) => row(name, samples, failures.get(name) ?? 0)));
  console.log('');
  for (const [first, second] of pairs) {
    const pair = `${first} → ${second}`;
    const full = results.get(`full stack, ${pair}`) ?? [];
    const floor = results.get(`floor, ${pair}`) ?? [];
    const ratio = (pick: (sample: Sample) => number) => median(full.map(pick)) / median(floor.map(pick));
    const connected = ratio((s) => s.connectedMs);
    const frame = ratio((s) => s.firstFrameMs);
    console.log(
      `${pair}: full stack / floor = ${connected.toFixed(2)} (connected), ${frame.toFixed(2)} (first frame); goal ≤ ${GOAL_RATIO}`,
    );
  }
}

main().catch((error: Error) => {
  console.error(error.stack ?? error.message);
  process.exit(1);
});
