import { describe, expect, it } from 'vitest';
import { rtcSnapshot, waitForMediaFlowing } from './media-checks';
import { useNetworkLab } from './network-fixture';
import { startTwoPartyCall, UI } from './parley-app';
import type { RtcSnapshot } from './rtc-probe';
import { waitUntil } from './wait';

/*
 * A poor home link in the network lab: 5 % of packets lost each way and 300 kbit/s each way at A's router (no netem
 * in this kernel: loss by nftables, the cap by tbf). The call must come up and stay usable: audio flowing, video
 * still decoding, at whatever rate the link allows.
 */

/** The impairment: a congested home uplink on a poor mobile or rural line. */
const LOSS_PERCENT = 5;
const CAP_KBIT = 300;

/** A link too thin for video beside audio (Opus alone wants ~30–40 kbit/s with its packet overhead). */
const STARVED_KBIT = 48;

/** Audio-only is offered after 5 readings of 2 s below 5 frames/s; allow for setup and congestion control first. */
const OFFER_DEADLINE_MS = 60_000;

/** How long media is measured once the call is up: long enough for congestion control to settle. */
const MEASURE_MS = 15_000;

/** Opus sends 50 packets a second; at 5 % loss and a full link, well over half of them must still arrive. */
const MIN_AUDIO_PACKETS_PER_SECOND = 25;

const net = useNetworkLab([
  { label: 'A', browser: 'chromium', nat: 'endpoint-independent' },
  { label: 'B', browser: 'chromium', nat: 'endpoint-independent' },
]);

/** Media received over a window, from two snapshots. */
function rates(before: RtcSnapshot, after: RtcSnapshot, ms: number) {
  const seconds = ms / 1000;
  return {
    videoKbit: ((after.video.bytesReceived - before.video.bytesReceived) * 8) / 1000 / seconds,
    framesPerSecond: (after.video.framesDecoded - before.video.framesDecoded) / seconds,
    freezes: after.video.freezeCount - before.video.freezeCount,
    audioPacketsPerSecond: (after.audio.packetsReceived - before.audio.packetsReceived) / seconds,
  };
}

describe(`when one side's link loses ${LOSS_PERCENT} % of packets and is capped at ${CAP_KBIT} kbit/s`, () => {
  it('should connect, keep audio flowing and keep video decoding at a rate the link can carry', async () => {
    await net.home('A').impair({ lossPercent: LOSS_PERCENT, rateKbit: CAP_KBIT });
    const { a, b } = await startTwoPartyCall(
      net.ownerLink(),
      { browser: net.browser('A') },
      { browser: net.browser('B') },
    );
    net.track(a, b);
    for (const user of [a, b]) await waitForMediaFlowing(user.page, user.label);
    const starts = await Promise.all(
      [a, b].map(async (user) => ({ user, at: Date.now(), snapshot: await rtcSnapshot(user.page) })),
    );
    // A measurement window, not a synchronisation: the figures are over MEASURE_MS of the call.
    await waitUntil(() => Date.now() - (starts[0]?.at ?? 0) >= MEASURE_MS, {
      description: 'the measurement window',
      timeoutMs: MEASURE_MS * 2,
      intervalMs: 1_000,
    });
    for (const start of starts) {
      const end = await rtcSnapshot(start.user.page);
      if (!start.snapshot || !end) throw new Error(`${start.user.label}: no peer connection to measure`);
      const measured = rates(start.snapshot, end, Date.now() - start.at);
      console.log(
        `[networks] poor link (${LOSS_PERCENT} % loss, ${CAP_KBIT} kbit/s) at ${start.user.label}: video ` +
          `${measured.videoKbit.toFixed(0)} kbit/s, ${measured.framesPerSecond.toFixed(1)} frames/s, ` +
          `${measured.freezes} freezes; audio ${measured.audioPacketsPerSecond.toFixed(0)} packets/s`,
      );
      expect(end.connectionState).toBe('connected');
      expect(measured.videoKbit).toBeLessThan(CAP_KBIT);
      expect(measured.framesPerSecond).toBeGreaterThan(1);
      expect(measured.audioPacketsPerSecond).toBeGreaterThan(MIN_AUDIO_PACKETS_PER_SECOND);
    }
    // Chat still goes through (SCTP retransmits what the link loses).
    await a.sendChat('can you hear me?');
    await b.waitForChat('can you hear me?');
  });
});

describe(`when one side's link is capped at ${STARVED_KBIT} kbit/s, too little for video`, () => {
  it('should offer audio-only, and taking it shows the other side that no video comes', async () => {
    await net.home('A').impair({ rateKbit: STARVED_KBIT });
    const { a, b } = await startTwoPartyCall(
      net.ownerLink(),
      { browser: net.browser('A') },
      { browser: net.browser('B') },
    );
    net.track(a, b);
    await a.waitFor(UI.audioOnlyOffer, 'the audio-only offer', OFFER_DEADLINE_MS);
    await a.page.click(UI.audioOnly);
    await b.waitFor(UI.peerCameraOff, "A's camera shown as off");
    // A's own view follows the choice as B's does (the offer is drawn again on the next reading, without it).
    await waitUntil(async () => !(await a.page.isVisible(UI.audioOnlyOffer)), {
      description: 'A: the audio-only offer gone once taken',
    });
    // Audio still goes through on the thin link.
    const before = await rtcSnapshot(b.page);
    await waitUntil(
      async () => ((await rtcSnapshot(b.page))?.audio.packetsReceived ?? 0) > (before?.audio.packetsReceived ?? 0),
      { description: 'B: audio still arriving' },
    );
  });
});
