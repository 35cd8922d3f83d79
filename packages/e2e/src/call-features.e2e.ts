import { describe, expect, it } from 'vitest';
import { type BrowserKind, launchBrowser, type UiTarget, type UserPage } from './browsers';
import { useCallFixture } from './fixture';
import {
  CALL_DEADLINE_MS,
  currentSnapshot,
  rtcSnapshot,
  waitForFramesAfter,
  waitForMediaFlowing,
} from './media-checks';
import { AppUser, startTwoPartyCall, UI } from './parley-app';
import type { ProbeWindow } from './rtc-probe';
import { waitUntil } from './wait';

/*
 * The call's extra controls in real browsers (issue 13): audio-only through RTCRtpSender.setParameters, the background
 * join alert, Picture-in-Picture, fullscreen, the screen wake lock, the camera flip, noise suppression, and the share
 * button hidden where getDisplayMedia is absent. Where headless browsers here refuse an API (Chromium's wake lock is
 * denied without a permission prompt to accept), the feature is tested in the browser that allows it, and its
 * decisions in the client's unit tests (packages/client/src/call-extras/*.test.ts).
 */

const calls = useCallFixture({ browsers: ['chromium', 'firefox'] });

/** No video byte sent for this long means the camera's encoding is really off (a live one sends ~30 frames/s). */
const VIDEO_STALLED_MS = 1_500;

/** Bytes sent so far by the page's newest peer connection, per media kind (outbound-rtp stats). */
function sentBytes(page: UserPage): Promise<{ audio: number; video: number }> {
  return page.evaluate(async () => {
    const probe = (window as unknown as ProbeWindow).__parleyProbe;
    const pc = probe.peers[probe.peers.length - 1]?.pc;
    const sent = { audio: 0, video: 0 };
    if (!pc) return sent;
    (await pc.getStats()).forEach((stat: { type: string; kind?: string; bytesSent?: number }) => {
      if (stat.type === 'outbound-rtp' && (stat.kind === 'audio' || stat.kind === 'video'))
        sent[stat.kind] += stat.bytesSent ?? 0;
    });
    return sent;
  }, null);
}

/** Waits until the page has sent no video byte for {@link VIDEO_STALLED_MS}; answers the video bytes sent. */
async function waitForVideoStalled(user: AppUser): Promise<number> {
  let last = { bytes: -1, at: 0 };
  return waitUntil(
    async () => {
      const { video } = await sentBytes(user.page);
      const now = Date.now();
      if (video !== last.bytes) {
        last = { bytes: video, at: now };
        return undefined;
      }
      return now - last.at >= VIDEO_STALLED_MS ? video : undefined;
    },
    { description: `${user.label}: no video bytes sent for ${VIDEO_STALLED_MS} ms`, timeoutMs: CALL_DEADLINE_MS },
  );
}

/** Waits until the page has sent more than `bytes` of `kind`. */
function waitForSent(user: AppUser, kind: 'audio' | 'video', bytes: number): Promise<number> {
  return waitUntil(
    async () => {
      const sent = (await sentBytes(user.page))[kind];
      return sent > bytes ? sent : undefined;
    },
    { description: `${user.label}: ${kind} bytes sent growing past ${bytes}`, timeoutMs: CALL_DEADLINE_MS },
  );
}

/** A control's accessible name and pressed state, as assistive technology reads them. */
function controlState(page: UserPage, testId: string) {
  return page.evaluate((id: string) => {
    const control = document.querySelector<HTMLElement>(`[data-testid="${id}"]`);
    return {
      shown: !!control && !control.hidden,
      name: control?.getAttribute('aria-label') ?? undefined,
      pressed: control?.getAttribute('aria-pressed') ?? undefined,
      shortcut: control?.getAttribute('aria-keyshortcuts') ?? undefined,
    };
  }, testId);
}

/** Waits until the control shows `name` (and, if given, the pressed state). */
function waitForControl(user: AppUser, target: UiTarget & { testId: string }, name: string, pressed?: boolean) {
  return waitUntil(
    async () => {
      const state = await controlState(user.page, target.testId);
      return state.shown && state.name === name && (pressed === undefined || state.pressed === String(pressed))
        ? state
        : undefined;
    },
    { description: `${user.label}: the ${target.testId} control named "${name}"`, timeoutMs: CALL_DEADLINE_MS },
  );
}

/** How many offers the page's newest connection made or took (a renegotiation shows here). */
async function offers(user: AppUser): Promise<number> {
  return (await currentSnapshot(user.page, user.label)).offers;
}

/** Makes the page believe it was hidden or shown (as switching tabs does) and tells it so. Runs in the page. */
function emulateVisibility(hidden: boolean): void {
  Object.defineProperty(document, 'hidden', { configurable: true, get: () => hidden });
  Object.defineProperty(document, 'visibilityState', {
    configurable: true,
    get: () => (hidden ? 'hidden' : 'visible'),
  });
  document.dispatchEvent(new Event('visibilitychange'));
}

/** Init script: counts the page's own requests for notification permission. */
function countNotificationRequests(): void {
  const w = window as unknown as { __notificationRequests: number };
  w.__notificationRequests = 0;
  if (typeof Notification !== 'function') return;
  const request = Notification.requestPermission.bind(Notification);
  Notification.requestPermission = (...args: Parameters<typeof request>) => {
    w.__notificationRequests += 1;
    return request(...args);
  };
}

/** Init script: keeps every screen wake lock the page is granted in `window.__wakeLocks`. */
function recordWakeLocks(): void {
  const w = window as unknown as { __wakeLocks: WakeLockSentinel[]; WakeLock?: typeof WakeLock };
  w.__wakeLocks = [];
  const prototype = w.WakeLock?.prototype;
  if (!prototype) return;
  const request = prototype.request;
  prototype.request = async function (this: WakeLock, ...args: Parameters<WakeLock['request']>) {
    const sentinel = await request.apply(this, args);
    w.__wakeLocks.push(sentinel);
    return sentinel;
  };
}

/** Init script: a browser without screen sharing (a phone), as far as the page can tell. */
function removeScreenSharing(): void {
  delete (MediaDevices.prototype as Partial<MediaDevices>).getDisplayMedia;
}

/** The settings of the track our sender sends of `kind`. Runs in the page. */
function senderTrackSettings(kind: string): MediaTrackSettings | undefined {
  const probe = (window as unknown as ProbeWindow).__parleyProbe;
  const pc = probe.peers[probe.peers.length - 1]?.pc;
  return pc
    ?.getSenders()
    .find((sender) => sender.track?.kind === kind)
    ?.track?.getSettings();
}

describe.each([
  ['chromium', 'chromium'],
  ['firefox', 'chromium'],
] as const satisfies readonly (readonly [BrowserKind, BrowserKind])[])(
  'when %s sends audio only to %s',
  (first, second) => {
    it('should stop sending video while audio keeps flowing, and bring video back without renegotiating', async () => {
      const { a, b } = await startTwoPartyCall(
        calls.ownerLink(),
        { browser: calls.browser(first) },
        { browser: calls.browser(second) },
      );
      calls.track(a, b);
      for (const user of [a, b]) await user.waitForCall();
      await waitForControl(a, UI.audioOnlyToggle, 'Send audio only', false);
      const offersBefore = await Promise.all([a, b].map(offers));

      await a.page.press('a'); // the shortcut presses the control
      await waitForControl(a, UI.audioOnlyToggle, 'Send video again', true);
      const stalledAt = await waitForVideoStalled(a);
      const audio = (await sentBytes(a.page)).audio;
      await waitForSent(a, 'audio', audio);
      expect((await sentBytes(a.page)).video).toBe(stalledAt);
      await b.waitFor(UI.peerCameraOff, "A's camera shown as off");

      const received = await rtcSnapshot(b.page);
      if (!received) throw new Error('B has no peer connection');
      await a.page.click(UI.audioOnlyToggle);
      await waitForControl(a, UI.audioOnlyToggle, 'Send audio only', false);
      await waitForSent(a, 'video', stalledAt);
      await waitForFramesAfter(b.page, received, b.label);
      await waitUntil(
        () =>
          b.page.evaluate(
            (selector: string) => !document.querySelector(selector)?.classList.contains('hidden') || undefined,
            UI.remoteVideo,
          ),
        { description: "B: A's video shown again instead of 'camera off'", timeoutMs: CALL_DEADLINE_MS },
      );
      expect(await Promise.all([a, b].map(offers))).toEqual(offersBefore);
    });
  },
);

describe.each(['chromium', 'firefox'] as const)(
  'when the other person joins while the %s tab is in the background',
  (kind) => {
    it('should mark the title until the tab is seen again, without ever asking for notifications', async () => {
      const a = await AppUser.create(calls.browser(kind), `A (${kind})`);
      const b = await AppUser.create(calls.browser('chromium'), 'B (chromium)');
      calls.track(a, b);
      await a.page.addInitScript(countNotificationRequests, null);
      const link = await a.startCall(calls.ownerLink());
      await a.join();
      await a.waitForText(UI.callStatus, 'Waiting');
      // The Devices panel offers notifications (asked only if pressed); the extras have loaded once it shows.
      await a.page.click(UI.devices);
      await a.waitFor(UI.joinNotifications, 'the join notifications line');
      const title = await a.page.evaluate(() => document.title, null);
      await a.page.evaluate(emulateVisibility, true);

      await b.open(link);
      await b.join();
      await waitUntil(
        async () => {
          const shown = await a.page.evaluate(() => document.title, null);
          return shown === `● Guest joined — ${title}` || undefined;
        },
        { description: `${a.label}: the title says Guest joined`, timeoutMs: CALL_DEADLINE_MS },
      );
      await a.page.evaluate(emulateVisibility, false);
      expect(await a.page.evaluate(() => document.title, null)).toBe(title);
      expect(
        await a.page.evaluate(
          () => (window as unknown as { __notificationRequests: number }).__notificationRequests,
          null,
        ),
      ).toBe(0);
    });
  },
);

describe.each(['chromium', 'firefox'] as const)(
  'when a %s user watches the call in picture-in-picture and fullscreen',
  (kind) => {
    it('should enter and leave both by button and by shortcut, naming each state', async () => {
      const { a, b } = await startTwoPartyCall(
        calls.ownerLink(),
        { browser: calls.browser(kind) },
        { browser: calls.browser(kind) },
      );
      calls.track(a, b);
      await a.waitForCall();
      const pip = await waitForControl(a, UI.pictureInPicture, 'Picture in picture', false);
      expect(pip.shortcut).toBe('P');

      await a.page.click(UI.pictureInPicture);
      await waitForControl(a, UI.pictureInPicture, 'Leave picture in picture', true);
      expect(await a.page.evaluate(() => document.pictureInPictureElement?.getAttribute('data-testid'), null)).toBe(
        'remote-video',
      );
      await a.page.press('p');
      await waitForControl(a, UI.pictureInPicture, 'Picture in picture', false);
      expect(await a.page.evaluate(() => !!document.pictureInPictureElement, null)).toBe(false);

      const fullscreen = await waitForControl(a, UI.fullscreen, 'Full screen');
      expect(fullscreen.shortcut).toBe('F');
      await a.page.press('f');
      await waitForControl(a, UI.fullscreen, 'Exit full screen');
      expect(await a.page.evaluate(() => document.fullscreenElement?.getAttribute('aria-label'), null)).toBe('Call');
      await a.page.click(UI.fullscreen);
      await waitForControl(a, UI.fullscreen, 'Full screen');
      expect(await a.page.evaluate(() => !!document.fullscreenElement, null)).toBe(false);
      await waitForMediaFlowing(a.page, a.label);
    });
  },
);

// Headless Chromium refuses the screen wake lock here (NotAllowedError: no permission prompt to accept); Firefox grants it.
describe('when a Firefox user is in a call', () => {
  it('should keep the screen awake, and take the lock again when the tab is shown after the browser released it', async () => {
    const a = await AppUser.create(calls.browser('firefox'), 'A (firefox)');
    calls.track(a);
    await a.page.addInitScript(recordWakeLocks, null);
    await a.startCall(calls.ownerLink());
    await a.join();
    await a.waitForText(UI.callStatus, 'Waiting');
    const held = () =>
      a.page.evaluate(() => {
        const locks = (window as unknown as { __wakeLocks: WakeLockSentinel[] }).__wakeLocks;
        return { count: locks.length, held: locks.filter((lock) => !lock.released).length };
      }, null);
    await waitUntil(async () => ((await held()).held === 1 ? true : undefined), {
      description: `${a.label}: a screen wake lock held`,
      timeoutMs: CALL_DEADLINE_MS,
    });

    // What a browser does when the tab is hidden: it releases the lock. Shown again, the page must take a new one.
    await a.page.evaluate(async () => {
      const hide = new Event('visibilitychange');
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => 'hidden' });
      document.dispatchEvent(hide);
      await (window as unknown as { __wakeLocks: WakeLockSentinel[] }).__wakeLocks[0]?.release();
    }, null);
    expect(await held()).toEqual({ count: 1, held: 0 });
    await a.page.evaluate(emulateVisibility, false);
    await waitUntil(async () => ((await held()).held === 1 ? true : undefined), {
      description: `${a.label}: the wake lock taken again`,
      timeoutMs: CALL_DEADLINE_MS,
    });
    expect((await held()).count).toBe(2);

    await a.page.click(UI.hangUp);
    await waitUntil(async () => ((await held()).held === 0 ? true : undefined), {
      description: `${a.label}: the wake lock given back after hanging up`,
      timeoutMs: CALL_DEADLINE_MS,
    });
  });
});

/**
 * Frames the other side must decode from the camera flipped to: more than the old camera can still have in flight
 * when the sender swaps tracks (a frame or two at the fake camera's 20 frames/s), so they can only come from the new
 * one.
 */
const FRAMES_FROM_NEW_CAMERA = 10;

/**
 * Chromium's fake cameras: `fake_device_1` is a depth camera (Y16 frames, which WebRTC refuses to send: "We cannot
 * send frame with storage type … Y16"); `fake_device_0` and `fake_device_2` are ordinary ones. The test starts on
 * the third and flips to the first (the flip goes round the list).
 */
const FAKE_CAMERAS = 3;
const FIRST_CAMERA = 'fake_device_2';
const FLIPPED_CAMERA = 'fake_device_0';

/** The label of the camera on the page's video sender (what is really sent). */
function sentCameraLabel(): string | undefined {
  const probe = (window as unknown as ProbeWindow).__parleyProbe;
  const pc = probe.peers[probe.peers.length - 1]?.pc;
  return pc?.getSenders().find((sender) => sender.track?.kind === 'video')?.track?.label;
}

/** Chooses a camera in the lobby's Camera picker by its label, as a person does (the select's change event). */
async function chooseCamera(user: AppUser, label: string): Promise<void> {
  await waitUntil(
    () =>
      user.page.evaluate((wanted: string) => {
        const select = document.querySelector<HTMLSelectElement>('select[aria-label="Camera"]');
        const option = [...(select?.options ?? [])].find((o) => o.textContent === wanted);
        if (!select || !option) return undefined;
        select.value = option.value;
        select.dispatchEvent(new Event('change'));
        return true;
      }, label),
    { description: `${user.label}: ${label} in the Camera picker`, timeoutMs: CALL_DEADLINE_MS },
  );
  await waitUntil(
    () =>
      user.page.evaluate((wanted: string) => {
        const preview = document.querySelector<HTMLVideoElement>('video.self');
        const track = (preview?.srcObject as MediaStream | null)?.getVideoTracks()[0];
        return track?.label === wanted && track.readyState === 'live' ? true : undefined;
      }, label),
    { description: `${user.label}: the preview showing ${label}`, timeoutMs: CALL_DEADLINE_MS },
  );
}

describe('when a Chromium user with several cameras flips the camera', () => {
  it('should send the other camera on the same sender, without renegotiating', async () => {
    const cameras = await launchBrowser('chromium', { fakeCameras: FAKE_CAMERAS });
    try {
      const a = await AppUser.create(cameras, `A (chromium, ${FAKE_CAMERAS} cameras)`);
      const b = await AppUser.create(calls.browser('chromium'), 'B (chromium)');
      calls.track(a, b);
      const link = await a.startCall(calls.ownerLink());
      await chooseCamera(a, FIRST_CAMERA);
      await a.join();
      await b.open(link);
      await b.join();
      for (const user of [a, b]) await user.waitForCall();
      const flip = await waitForControl(a, UI.flipCamera, 'Switch camera');
      expect(flip.shortcut).toBe('R');
      // One camera: nothing to flip to, so no button.
      await waitForControl(b, UI.audioOnlyToggle, 'Send audio only');
      expect((await controlState(b.page, UI.flipCamera.testId)).shown).toBe(false);
      expect(await a.page.evaluate(sentCameraLabel, null)).toBe(FIRST_CAMERA);
      const offersBefore = await Promise.all([a, b].map(offers));

      await a.page.press('r');
      await waitUntil(
        async () => ((await a.page.evaluate(sentCameraLabel, null)) === FLIPPED_CAMERA ? true : undefined),
        { description: `${a.label}: ${FLIPPED_CAMERA} on the sender`, timeoutMs: CALL_DEADLINE_MS },
      );
      const swapped = await currentSnapshot(b.page, b.label);
      await waitForFramesAfter(b.page, swapped, b.label, FRAMES_FROM_NEW_CAMERA);
      expect(await Promise.all([a, b].map(offers))).toEqual(offersBefore);
    } finally {
      await cameras.close();
    }
  });
});

describe('when a Chromium user turns noise suppression off', () => {
  it('should send a microphone without it, and the other side keeps hearing them, without renegotiating', async () => {
    const { a, b } = await startTwoPartyCall(
      calls.ownerLink(),
      { browser: calls.browser('chromium') },
      { browser: calls.browser('chromium') },
    );
    calls.track(a, b);
    for (const user of [a, b]) await user.waitForCall();
    const control = await waitForControl(a, UI.noiseSuppression, 'Turn noise suppression off', true);
    expect(control.shortcut).toBe('N');
    expect((await a.page.evaluate(senderTrackSettings, 'audio'))?.noiseSuppression).toBe(true);
    const offersBefore = await Promise.all([a, b].map(offers));

    await a.page.press('n');
    await waitForControl(a, UI.noiseSuppression, 'Turn noise suppression on', false);
    await waitUntil(
      async () => (await a.page.evaluate(senderTrackSettings, 'audio'))?.noiseSuppression === false || undefined,
      { description: `${a.label}: a microphone without noise suppression on the sender`, timeoutMs: CALL_DEADLINE_MS },
    );
    await waitForMediaFlowing(b.page, b.label);
    expect(await Promise.all([a, b].map(offers))).toEqual(offersBefore);
  });
});

describe('when one person’s browser cannot share a screen (a phone)', () => {
  it('should show them no share button, and show it to the other person', async () => {
    const a = await AppUser.create(calls.browser('chromium'), 'A (chromium, no getDisplayMedia)');
    const b = await AppUser.create(calls.browser('chromium'), 'B (chromium)');
    calls.track(a, b);
    await a.page.addInitScript(removeScreenSharing, null);
    const link = await a.startCall(calls.ownerLink());
    await a.join();
    await b.open(link);
    await b.join();
    await b.waitFor(UI.shareScreen, 'the share button');
    await a.waitFor(UI.hangUp, 'the call controls');
    expect(await a.page.isVisible(UI.shareScreen)).toBe(false);
  });
});
