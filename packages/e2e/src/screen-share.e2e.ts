import { describe, expect, it } from 'vitest';
import type { BrowserKind } from './browsers';
import { useCallFixture } from './fixture';
import { currentSnapshot, rtcSnapshot, waitForMediaFlowing } from './media-checks';
import { type AppUser, startTwoPartyCall, UI } from './parley-app';

/*
 * Both people start sharing their screens at the same moment, then both stop. The screen has its own m-line from the
 * start of the call, so sharing needs no renegotiation and two clicks at once cannot collide; each side must see the
 * other's screen, then the other's camera again, with media flowing throughout and no offer made or taken. Firefox
 * shares a canvas stand-in (fake-screen.ts): it has no fake screen of its own.
 */

const calls = useCallFixture({ browsers: ['chromium', 'firefox'] });

/** How many offers the page's newest connection made or took (a renegotiation shows here). */
async function offersSoFar(user: AppUser): Promise<number> {
  return (await currentSnapshot(user.page, user.label)).offers;
}

describe.each([
  ['chromium', 'chromium'],
  ['chromium', 'firefox'],
  ['firefox', 'chromium'],
] as const satisfies readonly (readonly [BrowserKind, BrowserKind])[])(
  'when %s and %s start sharing their screens at the same moment',
  (first, second) => {
    it('should show each the other screen, then the cameras again, without renegotiating', async () => {
      const { a, b } = await startTwoPartyCall(
        calls.ownerLink(),
        { browser: calls.browser(first) },
        { browser: calls.browser(second) },
      );
      calls.track(a, b);
      for (const user of [a, b]) await user.waitForCall();
      const cameras = await Promise.all([a, b].map(async (user) => (await user.shownVideo()).trackId));
      const offers = await Promise.all([a, b].map(offersSoFar));

      await Promise.all([a.page.click(UI.shareScreen), b.page.click(UI.shareScreen)]);
      for (const [index, user] of [a, b].entries()) {
        await user.waitForShownVideo("the other's screen", (id) => id !== cameras[index]);
        const snapshot = await waitForMediaFlowing(user.page, user.label);
        expect(snapshot.connectionState).toBe('connected');
      }

      await Promise.all([a.page.click(UI.shareScreen), b.page.click(UI.shareScreen)]);
      for (const [index, user] of [a, b].entries()) {
        await user.waitForShownVideo("the other's camera again", (id) => id === cameras[index]);
        await waitForMediaFlowing(user.page, user.label);
      }
      // Sharing rode on the m-line negotiated with the call: no offer was made (or looped) for it on either side.
      expect(await Promise.all([a, b].map(offersSoFar))).toEqual(offers);
      expect((await rtcSnapshot(a.page))?.signalingState).toBe('stable');
      expect([...a.page.errors(), ...b.page.errors()].filter((line) => line.startsWith('uncaught'))).toEqual([]);
    });
  },
);
