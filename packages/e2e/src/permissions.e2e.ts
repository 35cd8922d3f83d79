import { afterAll, describe, expect, it } from 'vitest';
import { launchBrowser, type MediaMode, type TestBrowser } from './browsers';
import { useCallFixture } from './fixture';
import { waitForConnected, waitForMediaFlowing, waitForRemoteVideo } from './media-checks';
import { AppUser, UI } from './parley-app';

/*
 * A person whose camera and microphone cannot be used still gets a plain-language explanation and can join the
 * call receive-only: they see and hear the other side.
 */

const calls = useCallFixture();
/** Browsers with restricted capture, launched by the tests that need them. */
const restricted: TestBrowser[] = [];

afterAll(async () => {
  await Promise.allSettled(restricted.map((browser) => browser.close()));
});

describe.each([
  ['denied', 'permission-denied'],
  ['no-devices', 'no-devices'],
] as const satisfies readonly (readonly [MediaMode, string])[])('when capture is %s', (media, problem) => {
  it(`should explain it ("${problem}") and still let the person join receive-only`, async () => {
    const browser = await launchBrowser('chromium', { media });
    restricted.push(browser);
    const host = await AppUser.create(calls.browser(), 'host');
    const guest = await AppUser.create(browser, `guest (${media})`);
    calls.track(host, guest);
    const link = await host.startCall(calls.ownerLink());
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
