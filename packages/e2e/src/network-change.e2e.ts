import { describe, expect, it } from 'vitest';
import { rtcSnapshot } from './media-checks';
import { useNetworkLab } from './network-fixture';
import { startTwoPartyCall } from './parley-app';
import { waitUntil } from './wait';

/*
 * A network change mid-call: A's home gets a new public address (as when a phone moves from Wi-Fi to mobile data,
 * or a router gets a new lease), and every NAT mapping of the old one is gone. B's router lets in only replies to
 * what B sent, so nothing from A's new address gets through until both sides learn it again: the app must notice
 * and restart ICE, and the call must carry on — media and the chat channel — on the new path.
 */

/** Deadline for recovery: the app waits out a short disconnection before restarting (ICE_DISCONNECTED_GRACE_MS). */
const RECOVERY_DEADLINE_MS = 60_000;

/** How often B's stats are read while waiting for recovery: the resolution of the recovery time reported. */
const RECOVERY_POLL_MS = 250;

const net = useNetworkLab([
  { label: 'A', browser: 'chromium', nat: 'endpoint-independent' },
  { label: 'B', browser: 'chromium', nat: 'endpoint-independent' },
]);

describe("when one side's public address changes in the middle of a call", () => {
  it('should restart ICE, show new frames over the new address, and keep the chat channel', async () => {
    const { a, b } = await startTwoPartyCall(
      net.ownerLink(),
      { browser: net.browser('A') },
      { browser: net.browser('B') },
    );
    net.track(a, b);
    for (const user of [a, b]) await user.waitForCall();
    await a.sendChat('before the move');
    await b.waitForChat('before the move');
    const before = await rtcSnapshot(b.page);
    expect(before?.selectedPair?.remoteAddress).toBe(net.home('A').wanAddress);

    const changedAt = Date.now();
    const newAddress = await net.home('A').changePublicAddress();
    // A new frame is one decoded at B while B's path leads to A's new address.
    const recovered = await waitUntil(
      async () => {
        const now = await rtcSnapshot(b.page);
        return now?.selectedPair?.remoteAddress === newAddress &&
          now.video.framesDecoded > (before?.video.framesDecoded ?? 0)
          ? now
          : undefined;
      },
      { description: "B: frames from A's new address", timeoutMs: RECOVERY_DEADLINE_MS, intervalMs: RECOVERY_POLL_MS },
    );
    const firstFrameAfterSeconds = (Date.now() - changedAt) / 1000;
    const framesThen = recovered.video.framesDecoded;
    await waitUntil(async () => ((await rtcSnapshot(b.page))?.video.framesDecoded ?? 0) > framesThen, {
      description: 'B: frames still decoding on the new path',
    });
    const restarts = (await rtcSnapshot(a.page))?.iceRestarts ?? 0;
    const restartsB = recovered.iceRestarts;
    console.log(
      `[networks] network change: first frame over the new address ${firstFrameAfterSeconds.toFixed(1)} s after it` +
        ` changed; ICE restarts A ${restarts}, B ${restartsB}; path ${recovered.selectedPair?.localType}/` +
        `${recovered.selectedPair?.remoteType}`,
    );
    expect(restarts + restartsB).toBeGreaterThan(0);
    // The same peer connection carried on (no new call), and its data channel with it.
    expect(recovered.peerCount).toBe(before?.peerCount);
    await a.sendChat('after the move');
    await b.waitForChat('after the move');
    await b.sendChat('still here');
    await a.waitForChat('still here');
  });
});
