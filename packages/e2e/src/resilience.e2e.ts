import { type GatewayTraceEvent, type LocalSystem, startLocalTurn } from '@parley/local';
import { describe, expect, it } from 'vitest';
import { useCallFixture } from './fixture';
import {
  currentSnapshot,
  rtcSnapshot,
  waitForConnected,
  waitForFramesAfter,
  waitForMediaFlowing,
} from './media-checks';
import { type AppUser, startTwoPartyCall, UI } from './parley-app';
import type { ProbeWindow } from './rtc-probe';
import { waitUntil } from './wait';

/*
 * What real networks and API Gateway do to a call — late, reordered and duplicated signaling, dropped sockets, idle
 * and maximum-duration closes, a TURN server that restarts, credentials that expire — and the call survives it.
 */

/** Runs of the chaos scenario: reordering is random, so one lucky run proves little. */
const CHAOS_RUNS = 3;

/** A TURN credential lifetime shorter than the call (the client refreshes 30 s after a grant at the earliest). */
const SHORT_TURN_TTL_SECONDS = 40;

/** A TURN REST secret the test knows, so it can start a replacement coturn with it. */
const TURN_SECRET = 'e2e-resilience-turn-secret-0123456789';

const calls = useCallFixture({ perTestRuntime: false });

async function call(query: '' | '?relay' = '') {
  const browser = calls.browser();
  const parties = await startTwoPartyCall(calls.ownerLink(), { browser, query }, { browser, query });
  calls.track(parties.a, parties.b);
  return parties;
}

/** The page's call as it is now (there is one: the call is up). */
function snapshotNow(user: AppUser) {
  return currentSnapshot(user.page, user.label);
}

/**
 * Stops the call's coturn, waits until both sides notice the relay is gone, and starts a new coturn on the same
 * port and secret; answers a stop function for the new one.
 */
async function restartTurn(local: LocalSystem, secret: string, parties: AppUser[]): Promise<() => Promise<void>> {
  const turn = local.turn;
  if (!turn) throw new Error('coturn is not running');
  await turn.process.stop();
  for (const user of parties) {
    await waitUntil(async () => (await snapshotNow(user)).connectionState !== 'connected', {
      description: `${user.label}: noticing the relay is gone`,
    });
  }
  const restarted = await startLocalTurn({ host: '127.0.0.1', port: turn.port, secret, log: () => {} });
  if (!restarted) throw new Error('coturn did not restart');
  return () => restarted.process.stop();
}

/** After the relay came back: both sides reconnected through an ICE restart, over relay, with video decoding. */
async function expectRecoveredOverRelay(parties: AppUser[]): Promise<void> {
  for (const user of parties) {
    const since = await snapshotNow(user);
    const snapshot = await waitForConnected(user.page, user.label);
    expect(snapshot.selectedPair?.localType).toBe('relay');
    await waitForFramesAfter(user.page, since, user.label);
  }
  const restarts = await Promise.all(parties.map(async (user) => (await snapshotNow(user)).iceRestarts));
  expect(restarts.reduce((sum, count) => sum + count, 0)).toBeGreaterThan(0);
}

/** Asks the page's call for an ICE restart, as the browser does after its own network changed: a new offer. */
async function restartIce(user: AppUser): Promise<void> {
  await user.page.evaluate(() => {
    const peers = (window as unknown as ProbeWindow).__parleyProbe.peers;
    peers[peers.length - 1]?.pc.restartIce();
  }, null);
}

/** Texts the page's call status showed (recorded by the test so a brief "left" cannot slip by). */
async function recordStatusTexts(user: AppUser): Promise<void> {
  await user.page.evaluate(
    (selector: string) => {
      const seen: string[] = [];
      (window as unknown as { __statusSeen: string[] }).__statusSeen = seen;
      new MutationObserver(() => {
        const text = document.querySelector(selector)?.textContent ?? '';
        if (text && seen[seen.length - 1] !== text) seen.push(text);
      }).observe(document.body, { subtree: true, childList: true, characterData: true });
    },
    `[data-testid="${(UI.callStatus as { testId: string }).testId}"]`,
  );
}

function statusTexts(user: AppUser): Promise<string[]> {
  return user.page.evaluate(() => (window as unknown as { __statusSeen?: string[] }).__statusSeen ?? [], null);
}

describe('when signaling is delayed, reordered and duplicated', () => {
  it(`should still bring the call up, every time (${CHAOS_RUNS} runs)`, async () => {
    for (let run = 1; run <= CHAOS_RUNS; run++) {
      await calls.start({
        chaos: { seed: run, delayMs: 10, jitterMs: 150, duplicateProbability: 0.3, inbound: true },
      });
      const { a, b } = await call();
      for (const user of [a, b]) {
        const snapshot = await user.waitForCall();
        expect(snapshot.connectionState, `run ${run}`).toBe('connected');
      }
      await calls.stop();
    }
  });
});

describe('when one side loses its signaling socket mid-call', () => {
  it('should keep media flowing, resume the seat unseen by the other side, and renegotiate over the new socket', async () => {
    const system = await calls.start({ turnSecret: TURN_SECRET });
    const { a, b } = await call('?relay');
    await a.waitForCall();
    await b.waitForCall();
    await recordStatusTexts(b);
    const [first] = system.gateway.connections().sort((x, y) => x.connectedAt - y.connectedAt);
    expect(system.gateway.dropConnection(first?.connectionId as string)).toBe(true);
    // Media is peer to peer: it keeps decoding while A has no signaling at all.
    await waitForFramesAfter(b.page, await snapshotNow(b), b.label);
    await waitUntil(() => system.gateway.connections().length === 2, {
      description: 'A reconnected to signaling',
    });
    // Screen share rides on its own m-line and the data channel: it works whatever signaling does.
    const before = await snapshotNow(b);
    const camera = (await b.shownVideo()).trackId;
    await a.page.click(UI.shareScreen);
    await b.waitForShownVideo('the screen A shares after the reconnect', (id) => id !== camera);
    // A renegotiation needs signaling: the ICE restart after losing the relay goes over the new socket.
    const stopTurn = await restartTurn(system, TURN_SECRET, [a, b]);
    try {
      await expectRecoveredOverRelay([a, b]);
      expect((await snapshotNow(b)).offers).toBeGreaterThan(before.offers);
    } finally {
      await stopTurn();
    }
    expect((await statusTexts(b)).filter((text) => /left/i.test(text))).toEqual([]);
  });

  it('should hold its seat when the other side signals before the service noticed, and deliver that signal after the resume', async () => {
    const steps: GatewayTraceEvent[] = [];
    const system = await calls.start({ trace: { gateway: (event) => steps.push(event) } });
    const { a, b } = await call();
    await a.waitForCall();
    await b.waitForCall();
    await recordStatusTexts(a);
    const bConnection = system.gateway.connections().sort((x, y) => x.connectedAt - y.connectedAt)[1]?.connectionId;
    if (!bConnection) throw new Error("B's signaling socket is not there");
    const offersBefore = (await snapshotNow(b)).offers;
    // B's network blips: its socket is gone, but the service has not run its $disconnect yet (AWS runs it late at
    // times), and B cannot get back in for now.
    const releaseDisconnects = system.gateway.holdDisconnects();
    const releaseHandshakes = system.gateway.holdHandshakes();
    try {
      expect(system.gateway.dropConnection(bConnection)).toBe(true);
      // A renegotiates right then (an ICE restart, as after its own network changed): its offer meets the dead socket.
      await restartIce(a);
      await waitUntil(() => steps.some((step) => step.step === 'gone' && step.connectionId === bConnection), {
        description: "A's signal meeting B's dropped socket (GoneException)",
      });
    } finally {
      releaseHandshakes();
    }
    // B resumes its seat and gets A's offer, which A held and sent again.
    await waitUntil(async () => (await snapshotNow(b)).offers > offersBefore, { description: "B taking A's offer" });
    for (const user of [a, b]) {
      await waitUntil(async () => (await snapshotNow(user)).signalingState === 'stable', {
        description: `${user.label}: the renegotiation finished`,
      });
    }
    // The late $disconnect of B's old socket must not free the seat B is back in: one more renegotiation works.
    await releaseDisconnects();
    const offersAfterResume = (await snapshotNow(b)).offers;
    await restartIce(a);
    await waitUntil(async () => (await snapshotNow(b)).offers > offersAfterResume, {
      description: "B taking A's offer after the late $disconnect",
    });
    await waitForFramesAfter(b.page, await snapshotNow(b), b.label);
    expect((await snapshotNow(a)).peerCount).toBe(1);
    expect((await statusTexts(a)).filter((text) => /left/i.test(text))).toEqual([]);
  });

  it('should survive the idle timeout and the maximum connection duration', async () => {
    const system = await calls.start({ limits: { idleTimeoutMs: 2_000, maxConnectionMs: 5_000 } });
    const { a, b } = await call();
    await a.waitForCall();
    await b.waitForCall();
    await recordStatusTexts(a);
    await recordStatusTexts(b);
    const firstIds = new Set(system.gateway.connectionIds());
    // Wait until both sides are on sockets opened after the maximum duration cut the first ones.
    await waitUntil(
      () => {
        const ids = system.gateway.connectionIds();
        return ids.length === 2 && ids.every((id) => !firstIds.has(id));
      },
      { description: 'both sides on new signaling sockets', timeoutMs: 20_000 },
    );
    for (const user of [a, b]) {
      const snapshot = await waitForMediaFlowing(user.page, user.label);
      expect(snapshot.connectionState).toBe('connected');
      expect((await statusTexts(user)).filter((text) => /left/i.test(text))).toEqual([]);
    }
  });
});

describe('when the TURN server restarts mid-call', () => {
  it('should restart ICE and get video back without a reload', async () => {
    const system = await calls.start({ turnSecret: TURN_SECRET });
    const { a, b } = await call('?relay');
    await a.waitForCall();
    await b.waitForCall();
    const stopTurn = await restartTurn(system, TURN_SECRET, [a, b]);
    try {
      await expectRecoveredOverRelay([a, b]);
    } finally {
      await stopTurn();
    }
  });
});

describe('when TURN credentials expire during a call', () => {
  it('should refresh them, so that a relay needed after the expiry still works', async () => {
    const system = await calls.start({ turnSecret: TURN_SECRET, turnCredentialTtlSeconds: SHORT_TURN_TTL_SECONDS });
    const { a, b } = await call('?relay');
    await a.waitForCall();
    await b.waitForCall();
    const started = Date.now();
    // Both pages were handed fresh credentials (setConfiguration) before the first ones ran out.
    for (const user of [a, b]) {
      await waitUntil(async () => ((await rtcSnapshot(user.page))?.configurationUpdates ?? 0) > 0, {
        description: `${user.label}: refreshed TURN credentials`,
        timeoutMs: SHORT_TURN_TTL_SECONDS * 1000,
      });
    }
    // Past the first credentials' expiry (issued at join, before `started`), a new allocation is only possible with
    // refreshed ones. Expiry is wall-clock time, so waiting for the clock is the condition itself.
    await waitUntil(() => Date.now() - started > SHORT_TURN_TTL_SECONDS * 1000, {
      description: 'the first credentials to expire',
      timeoutMs: SHORT_TURN_TTL_SECONDS * 1000 + 5_000,
      intervalMs: 500,
    });
    const stopTurn = await restartTurn(system, TURN_SECRET, [a, b]);
    try {
      await expectRecoveredOverRelay([a, b]);
    } finally {
      await stopTurn();
    }
  });
});
