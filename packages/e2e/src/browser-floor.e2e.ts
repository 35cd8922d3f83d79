import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { launchBrowser, type TestBrowser } from './browsers';
import { type BlankOrigin, prepareDirectCall, startBlankOrigin } from './direct-call';
import { rtcSnapshot, waitForConnected, waitForMediaFlowing, waitForRemoteVideo } from './media-checks';
import { installRtcProbe, RTC_PROBE_TIMING } from './rtc-probe';

/*
 * The browsers themselves, with no Parley code: if these fail, the machine (browser flags, loopback ICE, fake
 * media) is broken, not the product. Host candidates only; relay needs the local runtime's coturn.
 */
describe('when two browsers call each other directly, with no signaling server', () => {
  let origin: BlankOrigin;
  let chromium: TestBrowser;
  let firefox: TestBrowser;

  beforeAll(async () => {
    origin = await startBlankOrigin();
    [chromium, firefox] = await Promise.all([launchBrowser('chromium'), launchBrowser('firefox')]);
  });

  afterAll(async () => {
    await Promise.allSettled([chromium?.close(), firefox?.close()]);
    await origin?.close();
  });

  it.each(['chromium', 'firefox'] as const)(
    'should let the test read a connection that closes under the read, in %s',
    async (kind) => {
      // Firefox never settles getStats() for a connection closed while it runs: the app closes its connection when a
      // call ends, and a snapshot taken just then hung a test for its whole timeout (1 run in ~30).
      const page = await (kind === 'chromium' ? chromium : firefox).newUser();
      try {
        await page.addInitScript(installRtcProbe, RTC_PROBE_TIMING);
        await page.goto(origin.url);
        await page.evaluate(async () => {
          const pc = new RTCPeerConnection();
          pc.addTransceiver('audio');
          await pc.setLocalDescription();
          const read = pc.getStats.bind(pc);
          pc.getStats = (() => {
            const report = read();
            pc.close();
            return report;
          }) as typeof pc.getStats;
        }, null);
        const snapshot = await rtcSnapshot(page);
        expect(snapshot?.signalingState).toBe('closed');
        expect(snapshot?.selectedPair).toBeUndefined();
      } finally {
        await page.close();
      }
    },
  );

  it.each([
    ['chromium', 'chromium'],
    ['chromium', 'firefox'],
  ] as const)('should connect %s to %s on host candidates and decode video both ways', async (a, b) => {
    const caller = await (a === 'chromium' ? chromium : firefox).newUser();
    const callee = await (b === 'chromium' ? chromium : firefox).newUser();
    try {
      const call = await prepareDirectCall(caller, callee, origin, { iceServers: [], relayOnly: false });
      await call.start();
      for (const page of [caller, callee]) {
        const connected = await waitForConnected(page);
        expect(connected.selectedPair?.localType).toBe('host');
        await waitForMediaFlowing(page);
        expect(await waitForRemoteVideo(page, 'video[data-remote]')).toBeGreaterThan(0);
      }
    } finally {
      await Promise.allSettled([caller.close(), callee.close()]);
    }
  });
});
