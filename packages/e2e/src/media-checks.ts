import type { UserPage } from './browsers';
import { type RtcSnapshot, readRtcSnapshot } from './rtc-probe';
import { waitUntil } from './wait';

/** How long a call may take to come up, or media to move, before a test fails: generous for two loaded cores. */
export const CALL_DEADLINE_MS = 30_000;

/** The newest peer connection of a page as the RTC probe sees it, or undefined before there is one. */
export function rtcSnapshot(page: UserPage, index: number | null = null): Promise<RtcSnapshot | undefined> {
  return page.evaluate(readRtcSnapshot, index);
}

/** The page's newest connection as it is now, for a test that knows there is one. */
export async function currentSnapshot(page: UserPage, label: string = page.browser): Promise<RtcSnapshot> {
  const snapshot = await rtcSnapshot(page);
  if (!snapshot) throw new Error(`${label} has no peer connection`);
  return snapshot;
}

/** Waits until the page's newest peer connection is `connected` with a selected candidate pair. */
export async function waitForConnected(page: UserPage, label: string = page.browser): Promise<RtcSnapshot> {
  return waitUntil(
    async () => {
      const snapshot = await rtcSnapshot(page);
      return snapshot?.connectionState === 'connected' && snapshot.selectedPair ? snapshot : undefined;
    },
    { description: `${label}: peer connection connected`, timeoutMs: CALL_DEADLINE_MS },
  );
}

/**
 * Waits until remote media really moves on the page: inbound video frames decoded and audio packets received both
 * increase past a first reading (so a stalled stream with old counters does not pass).
 */
export async function waitForMediaFlowing(page: UserPage, label: string = page.browser): Promise<RtcSnapshot> {
  const before = await waitUntil(
    async () => {
      const snapshot = await rtcSnapshot(page);
      return snapshot && snapshot.video.framesDecoded > 0 && snapshot.audio.packetsReceived > 0 ? snapshot : undefined;
    },
    { description: `${label}: first remote video frame and audio packet`, timeoutMs: CALL_DEADLINE_MS },
  );
  return waitUntil(
    async () => {
      const snapshot = await rtcSnapshot(page);
      return snapshot &&
        snapshot.video.framesDecoded > before.video.framesDecoded &&
        snapshot.audio.packetsReceived > before.audio.packetsReceived
        ? snapshot
        : undefined;
    },
    { description: `${label}: video frames and audio packets still increasing`, timeoutMs: CALL_DEADLINE_MS },
  );
}

/**
 * Waits until remote video frames decode again after `since` (e.g. after a reconnect or an ICE restart): at least
 * `frames` more than then.
 */
export async function waitForFramesAfter(
  page: UserPage,
  since: RtcSnapshot,
  label: string = page.browser,
  frames = 1,
): Promise<RtcSnapshot> {
  const wanted = since.video.framesDecoded + frames;
  return waitUntil(
    async () => {
      const snapshot = await rtcSnapshot(page);
      return snapshot && snapshot.video.framesDecoded >= wanted ? snapshot : undefined;
    },
    { description: `${label}: remote video frames decoding again (${frames} more)`, timeoutMs: CALL_DEADLINE_MS },
  );
}

/** The widest remote `<video>` on the page, waiting until it shows a picture (`videoWidth > 0`). */
export async function waitForRemoteVideo(
  page: UserPage,
  selector: string,
  label: string = page.browser,
): Promise<number> {
  return waitUntil(
    async () => {
      const width = await page.evaluate((css: string) => {
        let widest = 0;
        for (const video of document.querySelectorAll<HTMLVideoElement>(css))
          widest = Math.max(widest, video.videoWidth);
        return widest;
      }, selector);
      return width > 0 ? width : undefined;
    },
    { description: `${label}: remote <video> (${selector}) showing a picture`, timeoutMs: CALL_DEADLINE_MS },
  );
}

/** Waits until the page's selected pair relays through TURN over `protocol` (the path may change after connecting). */
export async function waitForRelayProtocol(
  page: UserPage,
  protocol: 'udp' | 'tcp',
  label: string = page.browser,
): Promise<RtcSnapshot> {
  return waitUntil(
    async () => {
      const snapshot = await rtcSnapshot(page);
      const pair = snapshot?.selectedPair;
      return pair?.localType === 'relay' && pair.relayProtocol === protocol ? snapshot : undefined;
    },
    { description: `${label}: relaying through TURN over ${protocol}`, timeoutMs: CALL_DEADLINE_MS },
  );
}
