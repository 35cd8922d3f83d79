import type { LocalSystem } from '@parley/local';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { launchBrowser, type MediaMode, type TestBrowser } from './browsers';
import { waitForConnected, waitForMediaFlowing, waitForRemoteVideo } from './media-checks';
import { AppUser, UI } from './parley-app';
import { startTestRuntime } from './runtime';

/*
 * A person whose camera and microphone cannot be used still gets a plain-language explanation and can join the
 * call receive-only: they see and hear the other side.
 */

let granted: TestBrowser;
let system: LocalSystem;
const users: AppUser[] = [];
const restricted: TestBrowser[] = [];

beforeAll(async () => {
  granted = await launchBrowser('chromium');
});

afterAll(async () => {
  await Promise.allSettled([granted?.close(), ...restricted.map((browser) => browser.close())]);
});

beforeEach(async () => {
  system = await startTestRuntime();
});

afterEach(async () => {
  await Promise.allSettled(users.splice(0).map((user) => user.close()));
  await system?.stop();
});

describe.each([
  ['denied', 'permission-denied'],
  ['no-devices', 'no-devices'],
] as const satisfies readonly (readonly [MediaMode, string])[])('when capture is %s', (media, problem) => {
  it(`should explain it ("${problem}") and still let the person join receive-only`, async () => {
    const browser = await launchBrowser('chromium', { media });
    restricted.push(browser);
    const host = await AppUser.create(granted, 'host');
    const guest = await AppUser.create(browser, `guest (${media})`);
    users.push(host, guest);
    const link = await host.startCall(system.siteUrl as string);
    await host.join();
    await guest.open(link);
    await guest.waitForProblem(problem);
    expect((await guest.page.textOf(UI.problem))?.length).toBeGreaterThan(20);
    await guest.join();
    await waitForConnected(guest.page, guest.label);
    expect(await waitForRemoteVideo(guest.page, UI.remoteVideo, guest.label)).toBeGreaterThan(0);
    const received = await waitForMediaFlowing(guest.page, guest.label);
    expect(received.audio.packetsReceived).toBeGreaterThan(0);
    const sent = await waitForConnected(host.page, host.label);
    expect(sent.outboundVideoStreams).toBeGreaterThan(0);
  });
});
