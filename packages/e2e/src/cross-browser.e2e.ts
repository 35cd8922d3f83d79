import type { LocalSystem } from '@parley/local';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { type BrowserKind, launchBrowser, type TestBrowser } from './browsers';
import { type AppQuery, type AppUser, startTwoPartyCall } from './parley-app';
import { startTestRuntime } from './runtime';

/*
 * Chromium and Firefox in one call, each starting it, over relay and over the direct path: video, audio and chat.
 */

const browsers = {} as Record<BrowserKind, TestBrowser>;
let system: LocalSystem;
const users: AppUser[] = [];

beforeAll(async () => {
  [browsers.chromium, browsers.firefox] = await Promise.all([launchBrowser('chromium'), launchBrowser('firefox')]);
});

afterAll(async () => {
  await Promise.allSettled(Object.values(browsers).map((browser) => browser.close()));
});

beforeEach(async () => {
  system = await startTestRuntime();
});

afterEach(async () => {
  await Promise.allSettled(users.splice(0).map((user) => user.close()));
  await system?.stop();
});

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
        system.siteUrl as string,
        { browser: browsers[first], query },
        { browser: browsers[second], query },
      );
      users.push(a, b);
      for (const user of [a, b]) {
        const snapshot = await user.waitForCall();
        // Firefox often sees the remote side as peer-reflexive on loopback: only the local type is stable.
        expect(snapshot.selectedPair?.localType).toBe(localType);
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
