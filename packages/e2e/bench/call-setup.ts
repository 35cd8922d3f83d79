/**
 * Call setup through the full stack vs. the browser floor, interleaved in one run.
 *
 * Full stack: the app in two tabs, through the local runtime (API Gateway stand-in, real handlers, dynalite) and
 * coturn, relay over UDP (`?relay`). A starts the call and waits in it; B opens the link, spends `--lobby-ms` in the
 * lobby (as a person does; 0 clicks the moment Join shows) and clicks Join; timed from that click to `connected` and
 * to the first decoded remote video frame on B's page.
 * Floor: the same two browsers with SDP and candidates handed over directly by this process (no signaling server,
 * no app) through the same coturn, relay only, the camera opened as the app opens it; timed from the offer to the
 * same two events on the answering page.
 *
 * Usage: pnpm bench call-setup [--runs N] [--lobby-ms N] [--timeline] [--pair chromium-firefox]…
 *
 * `--timeline` instead traces full-stack calls step by step (page: socket, messages, peer connection; server:
 * gateway steps and DynamoDB requests) and prints, per browser pair, each step's median time after the Join click.
 */
import { parseArgs } from 'node:util';
import { VIDEO_CONSTRAINTS } from '@parley/client/local-media';
import { turnRestCredentials } from '@parley/turn';
import { type BrowserKind, launchBrowser, type TestBrowser } from '../src/browsers';
import { keyedSteps, pageTimeline, recordTimeline, type TimelineEvent } from '../src/call-timeline';
import { type BlankOrigin, prepareDirectCall, startBlankOrigin } from '../src/direct-call';
import buildClient from '../src/global-setup';
import { rtcSnapshot, waitForConnected } from '../src/media-checks';
import { AppUser, aWaitsBInLobby } from '../src/parley-app';
import type { RtcSnapshot } from '../src/rtc-probe';
import { startTestRuntime } from '../src/runtime';
import { waitUntil } from '../src/wait';
import { median, type Sample } from './samples';

/** The issue's bar: ≥ 10 runs of each kind. */
const DEFAULT_RUNS = 10;
/** Goal: the full stack costs at most 15 % more than the browsers themselves. */
const GOAL_RATIO = 1.15;
const TURN_SECRET = 'bench-call-setup-turn-secret-0123456789';
/** Lifetime of the floor's TURN credentials: longer than the whole benchmark. */
const FLOOR_CREDENTIAL_SECONDS = 3_600;
/** Timelines show steps from this long before B's Join click (A's page is idle by then). */
const EARLIER_STEPS_SHOWN_MS = 50;
/**
 * How long the second person spends in the lobby before clicking Join (looking at their camera preview, typing a
 * name): a person cannot click in the instant the page appears. `--lobby-ms 0` clicks as soon as Join shows.
 */
const DEFAULT_LOBBY_MS = 1_000;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: String(DEFAULT_RUNS) },
    'lobby-ms': { type: 'string', default: String(DEFAULT_LOBBY_MS) },
    timeline: { type: 'boolean', default: false },
    /** Only these pairs (`first-second`, e.g. `chromium-chromium`); default all three. */
    pair: { type: 'string', multiple: true },
  },
});
const runs = Number(values.runs);
const lobbyMs = Number(values['lobby-ms']);

/**
 * A call as people make one: A starts it and waits in it (its status says so), then B opens the link, spends
 * `lobbyMs` in the lobby and clicks Join.
 */
async function twoPartyCall(
  ownerLink: string,
  first: TestBrowser,
  second: TestBrowser,
  /** Runs on both new pages before anything loads (e.g. installing the timeline recorder). */
  before?: (users: AppUser[]) => Promise<void>,
) {
  const a = await AppUser.create(first, 'A');
  const b = await AppUser.create(second, 'B');
  await before?.([a, b]);
  await aWaitsBInLobby(ownerLink, a, b, '?relay');
  // A person's time in the lobby (modelled, not waiting for anything): `--lobby-ms`.
  await new Promise((resolve) => setTimeout(resolve, lobbyMs));
  await b.join();
  return { a, b };
}

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

async function fullStackRun(ownerLink: string, first: TestBrowser, second: TestBrowser): Promise<Sample> {
  const { a, b } = await twoPartyCall(ownerLink, first, second);
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
      label: `floor-${++floorRuns}`,
      expiresAtSeconds: Math.floor(Date.now() / 1000) + FLOOR_CREDENTIAL_SECONDS,
    });
    const ice = { iceServers: [{ urls: turnUrls, ...credentialFields(credential) }], relayOnly: true };
    // The same camera picture as the app sends (its constraints), so the first frames compare like with like.
    const call = await prepareDirectCall(caller, callee, origin, ice, VIDEO_CONSTRAINTS);
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

/** Server-side events of the current timeline run (the local system's trace hooks push here). */
const serverEvents: TimelineEvent[] = [];

/** One traced full-stack call: every step of both pages and the server, keyed and relative to B's Join click. */
async function timelineRun(ownerLink: string, first: TestBrowser, second: TestBrowser): Promise<Map<string, number>> {
  serverEvents.length = 0;
  const { a, b } = await twoPartyCall(ownerLink, first, second, (users) =>
    Promise.all(users.map((user) => recordTimeline(user.page))).then(() => undefined),
  );
  try {
    const snapshot = await connectedAndFirstFrame(b, 'B');
    await waitForConnected(a.page, 'A');
    const pages = [...(await pageTimeline(a.page, 'A')), ...(await pageTimeline(b.page, 'B'))];
    pages.push({ at: snapshot.firstFrameAt as number, who: 'B', what: 'first frame (probe)' });
    const click = pages.find((event) => event.who === 'B' && event.what === 'join click');
    if (!click) throw new Error('the Join click was not recorded');
    return keyedSteps([...pages, ...labelServerEvents(serverEvents, pages)], click.at);
  } finally {
    await Promise.allSettled([a.close(), b.close()]);
  }
}

/**
 * Names gateway events after the page messages they carry (a socket is ordered: the n-th message the gateway
 * takes from B is B's n-th send, the n-th post to A is A's n-th receipt) and DynamoDB requests after the message
 * being handled when they arrived.
 */
function labelServerEvents(server: TimelineEvent[], pages: TimelineEvent[]): TimelineEvent[] {
  // A opens its socket first (it starts the call); B opens its own in the lobby, before or after its click.
  const opens = server.filter((event) => event.what.startsWith('upgrade ')).sort((x, y) => x.at - y.at);
  const who = new Map<string, string>();
  for (const [index, open] of opens.entries()) who.set(open.what.slice('upgrade '.length), index === 0 ? 'A' : 'B');
  const sends = (page: string) => pages.filter((e) => e.who === page && e.what.startsWith('send ')).map((e) => e.what);
  const recvs = (page: string) => pages.filter((e) => e.who === page && e.what.startsWith('recv ')).map((e) => e.what);
  const queues: Record<string, string[]> = {
    'message A': sends('A'),
    'message B': sends('B'),
    'handled A': sends('A'),
    'handled B': sends('B'),
    'post A': recvs('A'),
    'post B': recvs('B'),
  };
  const labelled: TimelineEvent[] = [];
  const handling: { label: string; from: number; to: number }[] = [];
  for (const event of server.filter((e) => e.who === 'gateway')) {
    const [step = '', connectionId = ''] = event.what.split(' ');
    const page = who.get(connectionId) ?? '?';
    const queue = queues[`${step} ${page}`];
    const carried = queue ? (queue.shift() ?? '?').replace(/^(send|recv) /, '') : '';
    const label =
      step === 'message' || step === 'handled'
        ? `gateway ${step} ${page}'s ${carried}`
        : step === 'post'
          ? `gateway post ${carried} → ${page}`
          : `gateway ${step} ${page}`;
    labelled.push({ ...event, what: label });
  }
  // A handler's span: from its message to its `handled`, matched in order per page.
  for (const page of ['A', 'B']) {
    const starts = labelled.filter((e) => e.what.startsWith(`gateway message ${page}'s`));
    const ends = labelled.filter((e) => e.what.startsWith(`gateway handled ${page}'s`));
    starts.forEach((start, i) => {
      handling.push({
        label: start.what.slice('gateway message '.length),
        from: start.at,
        to: ends[i]?.at ?? start.at,
      });
    });
  }
  for (const event of server.filter((e) => e.who === 'dynamodb')) {
    const during = handling.filter((span) => span.from <= event.at && event.at <= span.to).map((span) => span.label);
    labelled.push({ ...event, what: `${event.what} (for ${during.join(' | ') || '?'})` });
  }
  return labelled;
}

async function timelineMain(browsers: Record<BrowserKind, TestBrowser>, pairs: [BrowserKind, BrowserKind][]) {
  for (const [first, second] of pairs) {
    const runsOfPair: Map<string, number>[] = [];
    for (let run = 0; run < runs; run++) {
      const system = await startTestRuntime({
        turnSecret: TURN_SECRET,
        trace: {
          gateway: (event) =>
            serverEvents.push({
              at: event.at,
              who: 'gateway',
              what: `${event.step} ${event.connectionId}`,
            }),
          dynamodb: (operation, arrivedAt, answeredAt) =>
            serverEvents.push({
              at: arrivedAt,
              who: 'dynamodb',
              what: `dynamodb ${operation} ${(answeredAt - arrivedAt).toFixed(1)} ms`,
            }),
        },
      });
      try {
        runsOfPair.push(await timelineRun(system.ownerLink() as string, browsers[first], browsers[second]));
      } catch (error) {
        process.stderr.write(`${first} → ${second}: failed: ${(error as Error).message}\n`);
      } finally {
        await system.stop();
      }
    }
    printTimeline(`${first} → ${second}`, runsOfPair);
  }
}

/** Each step's median time after B's Join click over the runs that had it, in order of that median. */
function printTimeline(pair: string, runsOfPair: Map<string, number>[]): void {
  const keys = new Set(runsOfPair.flatMap((steps) => [...steps.keys()]));
  const rows = [...keys]
    // DynamoDB requests carry their duration in the key: they are listed per run below instead.
    .filter((key) => !key.startsWith('dynamodb'))
    .map((key) => ({ key, times: runsOfPair.map((steps) => steps.get(key)).filter((t) => t !== undefined) }))
    .map(({ key, times }) => ({ key, median: median(times), seen: times.length }))
    // A's own joining happened long before B's click; only the part of the call B waits for is shown.
    .filter(({ median: m }) => m >= -EARLIER_STEPS_SHOWN_MS)
    .sort((x, y) => x.median - y.median);
  console.log(`\n### ${pair}: steps after B's Join click, median over ${runsOfPair.length} runs (ms)\n`);
  for (const { key, median: m, seen } of rows) {
    console.log(`${m.toFixed(1).padStart(8)}  ${key}${seen < runsOfPair.length ? `  (in ${seen} runs)` : ''}`);
  }
  const last = runsOfPair[runsOfPair.length - 1];
  if (last) {
    console.log(`\n#### ${pair}: DynamoDB requests of the last run (arrival after the click, ms)\n`);
    for (const [key, at] of [...last].filter(([k]) => k.startsWith('dynamodb')).sort((x, y) => x[1] - y[1])) {
      if (at >= -EARLIER_STEPS_SHOWN_MS) console.log(`${at.toFixed(1).padStart(8)}  ${key}`);
    }
  }
}

async function main(): Promise<void> {
  if (!Number.isInteger(runs) || runs < 1) throw new Error('--runs must be a positive whole number');
  if (!Number.isInteger(lobbyMs) || lobbyMs < 0) throw new Error('--lobby-ms must be a whole number ≥ 0');
  buildClient();
  const origin = await startBlankOrigin();
  const browsers: Record<BrowserKind, TestBrowser> = {
    chromium: await launchBrowser('chromium'),
    firefox: await launchBrowser('firefox'),
  };
  const pairs = (
    [
      ['chromium', 'chromium'],
      ['chromium', 'firefox'],
      ['firefox', 'chromium'],
    ] as [BrowserKind, BrowserKind][]
  ).filter(([first, second]) => !values.pair || values.pair.includes(`${first}-${second}`));
  if (pairs.length === 0)
    throw new Error('--pair must be one of chromium-chromium, chromium-firefox, firefox-chromium');
  if (values.timeline) {
    try {
      await timelineMain(browsers, pairs);
    } finally {
      await Promise.allSettled([browsers.chromium.close(), browsers.firefox.close(), origin.close()]);
    }
    return;
  }
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
          fullStackRun(system.ownerLink() as string, browsers[first], browsers[second]),
        );
        await attempt(`floor, ${pair}`, () => floorRun(origin, udpTurn, browsers[first], browsers[second]));
      }
      await system.stop();
      process.stderr.write(`run ${run + 1}/${runs} done\n`);
    }
  } finally {
    await Promise.allSettled([browsers.chromium.close(), browsers.firefox.close(), origin.close()]);
  }
  console.log(
    `Call setup over relay UDP through local coturn, ${runs} interleaved runs per path, ${lobbyMs} ms in the lobby ` +
      '(2-core machine).\n',
  );
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
