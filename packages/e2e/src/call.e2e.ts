import { describe, expect, it } from 'vitest';
import { useCallFixture } from './fixture';
import { rtcSnapshot, waitForMediaFlowing, waitForRelayProtocol } from './media-checks';
import { AppUser, anotherInvitation, startTwoPartyCall, UI } from './parley-app';

/*
 * The product as two people use it, in real Chromium, through the local runtime (API Gateway stand-in, real
 * handlers, dynalite) and real coturn, against the production build of the client served with `/config.json`.
 */

const calls = useCallFixture();

/** A two-party call between two Chromium users (the second opens the first one's link). */
async function call(queryA: '' | '?relay' | '?tcp' = '', queryB = queryA) {
  const browser = calls.browser();
  const parties = await startTwoPartyCall(calls.ownerLink(), { browser, query: queryA }, { browser, query: queryB });
  calls.track(parties.a, parties.b);
  return parties;
}

describe('when one person starts a call and another opens the link', () => {
  it('should bring the call up by itself, with video and audio both ways and chat both ways', async () => {
    const { a, b } = await call();
    for (const user of [a, b]) {
      const snapshot = await user.waitForCall();
      expect(snapshot.video.frameWidth).toBeGreaterThan(0);
      expect(snapshot.audio.packetsReceived).toBeGreaterThan(0);
    }
    await a.sendChat('Hello from A');
    await b.waitForChat('Hello from A');
    await b.sendChat('Hi A, B here');
    await a.waitForChat('Hi A, B here');
    // Nobody in the middle: both screens show the same words, derived from both DTLS certificates.
    expect(await a.verificationWords()).toBe(await b.verificationWords());
  });
});

describe('when relay is forced', () => {
  it.each([
    ['?relay', 'udp'],
    ['?tcp', 'tcp'],
  ] as const)(
    'with %s, should relay through TURN over %s on both sides while video flows',
    async (query, relayProtocol) => {
      const { a, b } = await call(query);
      for (const user of [a, b]) {
        await user.waitForCall();
        // A browser that first lands on TURN/TCP while UDP works moves to UDP (relay-preference.ts).
        const snapshot = await waitForRelayProtocol(user.page, relayProtocol, user.label);
        expect(snapshot.selectedPair?.localType).toBe('relay');
        expect((await waitForMediaFlowing(user.page, user.label)).video.framesDecoded).toBeGreaterThan(0);
      }
    },
  );
});

describe('when a third person comes to a full room', () => {
  it('should refuse the same invitation link a second time, and a second invitation because the room is full', async () => {
    const { a, b, link } = await call();
    await a.waitForCall();
    await b.waitForCall();
    const before = await rtcSnapshot(a.page);
    // The guest link, forwarded: it admits one person, who is already in the call.
    const c = await AppUser.create(calls.browser(), 'C');
    calls.track(c);
    await c.open(link);
    await c.join();
    await c.waitForProblem('ticket-in-use');
    // A second invitation to the same room (the owner made two): valid, but the call is 1:1.
    const d = await AppUser.create(calls.browser(), 'D');
    calls.track(d);
    await d.open(await anotherInvitation(calls.system(), link));
    await d.join();
    await d.waitForProblem('room-full');
    for (const user of [a, b]) {
      const after = await waitForMediaFlowing(user.page, user.label);
      expect(after.connectionState).toBe('connected');
    }
    expect((await rtcSnapshot(a.page))?.peerCount).toBe(before?.peerCount);
  });
});

describe('when one person hangs up and joins again through the same link', () => {
  it('should show the other side that they left, and bring the call back when they return', async () => {
    const { a, b, link } = await call();
    await a.waitForCall();
    await b.waitForCall();
    await b.page.click(UI.hangUp);
    await a.waitForText(UI.callStatus, 'left');
    await b.open(link);
    await b.join();
    for (const user of [a, b]) await user.waitForCall();
  });
});
