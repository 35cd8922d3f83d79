/**
 * Call setup across the network lab with each home a fixed delay (default 50 ms each way) from the public segment,
 * full stack vs. the browser floor on the same path, interleaved in one run.
 *
 * Both browsers sit in their own home behind an endpoint-independent NAT router; the local system (`pnpm dev
 * --host`: site, signaling stand-in, coturn) is on the public segment. Every packet between a home and the public
 * segment, or the other home, crosses the delayed links (home↔public 2 × delay round trip, home↔home 4 ×).
 * Full stack: A starts the call and waits in it; B opens the link, spends `--lobby-ms` in the lobby and clicks
 * Join; timed on B's page from that click to `connected` and to the first decoded remote frame.
 * Floor: the same two browsers, SDP and candidates handed over by this process (no signaling, no app, zero
 * delay for them), STUN from the same coturn, the camera opened as the app opens it; timed from the offer.
 * What the ratio holds: the signaling round trips across the delayed links (join, the parked offer, the answer
 * and candidates relayed through the service) and the app's own work; the floor pays only ICE and DTLS on the path.
 *
 * Usage: pnpm bench lab-call-setup [--runs N] [--delay-ms N] [--lobby-ms N]      (needs root: network namespaces)
 */
import { parseArgs } from 'node:util';
import { VIDEO_CONSTRAINTS } from '@parley/client/local-media';
import type { TestBrowser } from '../src/browsers';
import { prepareDirectCall } from '../src/direct-call';
import buildClient from '../src/global-setup';
import { rtcSnapshot, waitForConnected } from '../src/media-checks';
import { LAB_SERVICE_ADDRESS, NetworkLab } from '../src/network-lab';
import { AppUser, aWaitsBInLobby } from '../src/parley-app';
import type { RtcSnapshot } from '../src/rtc-probe';
import { waitUntil } from '../src/wait';
import { median, type Sample } from './samples';

const DEFAULT_RUNS = 5;
/** The issue's figure: each home 50 ms from the public segment. */
const DEFAULT_DELAY_MS = 50;
/** As in the loopback call-setup benchmark: a person spends a moment in the lobby before clicking Join. */
const DEFAULT_LOBBY_MS = 1_000;
/** Goal: the full stack costs at most 15 % more than the browsers themselves on the same path. */
const GOAL_RATIO = 1.15;
/** Port of the floor's blank page on the public segment. */
const BLANK_PORT = 8080;
/** A call across delayed links on two loaded cores comes up well within this. */
const CALL_DEADLINE_MS = 60_000;

const { values } = parseArgs({
  options: {
    runs: { type: 'string', default: String(DEFAULT_RUNS) },
    'delay-ms': { type: 'string', default: String(DEFAULT_DELAY_MS) },
    'lobby-ms': { type: 'string', default: String(DEFAULT_LOBBY_MS) },
  },
});
const runs = Number(values.runs);
const delayMs = Number(values['delay-ms']);
const lobbyMs = Number(values['lobby-ms']);

async function connectedAndFirstFrame(page: AppUser['page'], label: string): Promise<RtcSnapshot> {
  await waitForConnected(page, label);
  return waitUntil(
    async () => {
      const snapshot = await rtcSnapshot(page);
      return snapshot?.connectedAt !== undefined && snapshot.firstFrameAt !== undefined ? snapshot : undefined;
    },
    { description: `${label}: first decoded remote frame`, timeoutMs: CALL_DEADLINE_MS },
  );
}

async function fullStackRun(ownerLink: string, first: TestBrowser, second: TestBrowser): Promise<Sample> {
  const a = await AppUser.create(first, 'A');
  const b = await AppUser.create(second, 'B');
  try {
    await aWaitsBInLobby(ownerLink, a, b, '');
    // A person's time in the lobby (modelled, not waiting for anything): `--lobby-ms`.
    await new Promise((resolve) => setTimeout(resolve, lobbyMs));
    await b.join();
    const snapshot = await connectedAndFirstFrame(b.page, 'B');
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

async function floorRun(blankUrl: string, stunUrl: string, first: TestBrowser, second: TestBrowser): Promise<Sample> {
  const caller = await first.newUser();
  const callee = await second.newUser();
  try {
    const ice = { iceServers: [{ urls: [stunUrl] }], relayOnly: false };
    const call = await prepareDirectCall(
      caller,
      callee,
      { url: blankUrl, close: async () => {} },
      ice,
      VIDEO_CONSTRAINTS,
    );
    const startedAt = await callee.evaluate(() => Date.now(), null);
    await call.start();
    const snapshot = await connectedAndFirstFrame(callee, 'floor callee');
    return {
      connectedMs: (snapshot.connectedAt as number) - startedAt,
      firstFrameMs: (snapshot.firstFrameAt as number) - startedAt,
    };
  } finally {
    await Promise.allSettled([caller.close(), callee.close()]);
  }
}

function describe(samples: Sample[], pick: (sample: Sample) => number): string {
  const picked = samples.map(pick);
  return `${median(picked).toFixed(0)} (${Math.min(...picked).toFixed(0)}–${Math.max(...picked).toFixed(0)})`;
}

async function main(): Promise<void> {
  buildClient();
  const lab = await NetworkLab.create();
  const browsers: TestBrowser[] = [];
  try {
    const homeA = await lab.addHome('A', 'endpoint-independent', { delayMs });
    const homeB = await lab.addHome('B', 'endpoint-independent', { delayMs });
    const system = await lab.startSystem();
    const blankUrl = await lab.startBlankSite(BLANK_PORT);
    const stunUrl = `stun:${LAB_SERVICE_ADDRESS}:${system.turnPort}`;
    const first = await lab.launchBrowser('chromium', homeA, [system.siteUrl, blankUrl]);
    browsers.push(first);
    const second = await lab.launchBrowser('chromium', homeB, [system.siteUrl, blankUrl]);
    browsers.push(second);
    const full: Sample[] = [];
    const floor: Sample[] = [];
    let failures = 0;
    for (let run = 0; run < runs; run++) {
      // Interleaved, so machine load during the run hits both alike.
      for (const [samples, once] of [
        [floor, () => floorRun(blankUrl, stunUrl, first, second)],
        [full, () => fullStackRun(system.ownerLink, first, second)],
      ] as const) {
        try {
          samples.push(await once());
        } catch (error) {
          failures++;
          console.error(`run ${run + 1} failed: ${(error as Error).message}`);
        }
      }
    }
    if (full.length === 0 || floor.length === 0) throw new Error('no successful runs to compare');
    console.log(
      `Call setup across the lab, each home ${delayMs} ms (one way) from the public segment; ${runs} runs each`,
    );
    console.log('(Chromium ↔ Chromium, endpoint-independent NATs: a direct path over public addresses)\n');
    console.log('| path | runs | → connected, ms: median (min–max) | → first frame, ms: median (min–max) |');
    console.log('|---|---|---|---|');
    console.log(
      `| floor: bare RTCPeerConnection, SDP handed over instantly | ${floor.length} | ${describe(floor, (s) => s.connectedMs)} | ${describe(floor, (s) => s.firstFrameMs)} |`,
    );
    console.log(
      `| full stack: Join click in the app | ${full.length} | ${describe(full, (s) => s.connectedMs)} | ${describe(full, (s) => s.firstFrameMs)} |`,
    );
    const ratio = median(full.map((s) => s.firstFrameMs)) / median(floor.map((s) => s.firstFrameMs));
    console.log(
      `\nfull stack ÷ floor (first frame, medians): ${ratio.toFixed(2)} (goal ≤ ${GOAL_RATIO})${failures ? `; ${failures} failed runs` : ''}`,
    );
  } finally {
    await Promise.allSettled(browsers.map((browser) => browser.close()));
    await lab.remove();
  }
}

main().catch((error: Error) => {
  console.error(`lab-call-setup: ${error.message}`);
  process.exit(1);
});
