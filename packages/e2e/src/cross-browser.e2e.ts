import { describe, expect, it } from 'vitest';
import type { BrowserKind } from './browsers';
import { useCallFixture } from './fixture';
import { waitForConnected } from './media-checks';
import { type AppQuery, startTwoPartyCall } from './parley-app';

/*
 * Chromium and Firefox in one call, each starting it, over relay and over the direct path: video, audio and chat.
 */

const calls = useCallFixture({ browsers: ['chromium', 'firefox'] });

describe.each([
  ['chromium', 'firefox', '?relay', 'relay'],
  ['firefox', 'chromium', '?relay', 'relay'],
  ['chromium', 'firefox', '', 'host'],
  ['firefox', 'chromium', '', 'host'],
] as const satisfies readonly (readonly [BrowserKind, BrowserKind, AppQuery, string])[])(
  'when %s starts a call and %s joins (%s)',
  (first, second, query, localType) => {
    it(`should carry video, audio and chat both ways on ${localType} candidates`, async () => {
      const { a, b } = await startTwoPartyCall(
        calls.ownerLink(),
        { browser: calls.browser(first), query },
        { browser: calls.browser(second), query },
      );
      calls.track(a, b);
      for (const user of [a, b]) {
        const snapshot = await user.waitForCall();
        // The path as a selected pair shows it (while the relay steering restarts ICE, a read may find none). Firefox
        // often sees the remote side as peer-reflexive on loopback: only the local type is stable.
        const path = await waitForConnected(user.page, user.label);
        expect(path.selectedPair?.localType).toBe(localType);
        expect(snapshot.video.frameWidth).toBeGreaterThan(0);
        expect(snapshot.audio.packetsReceived).toBeGreaterThan(0);
      }
      await a.sendChat(`hello from ${first}`);
      await b.waitForChat(`hello from ${first}`);
      await b.sendChat(`hello from ${second}`);
      await a.waitForChat(`hello from ${second}`);
    });
  },
);
