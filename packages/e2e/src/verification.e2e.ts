import { afterEach, describe, expect, it } from 'vitest';
import type { BrowserKind } from './browsers';
import { useCallFixture } from './fixture';
import { MaliciousRelay, MITM_VARIANTS, type MitmVariant } from './malicious-relay';
import { rtcSnapshot } from './media-checks';
import { AppUser, aWaitsBInLobby, startTwoPartyCall, UI } from './parley-app';

/*
 * The verification words against a signaling server that puts itself in the middle (issue 14): in real Chromium and
 * Firefox, honest calls show the same words on both screens, and a man in the middle — whatever certificate trick it
 * plays — either gets the call refused or leaves the two people with different words.
 */

const calls = useCallFixture({ browsers: ['chromium', 'firefox'], perTestRuntime: false });

const PAIRINGS = [
  ['chromium', 'chromium'],
  ['firefox', 'firefox'],
  ['chromium', 'firefox'],
] as const satisfies readonly (readonly [BrowserKind, BrowserKind])[];

describe.each([...PAIRINGS, ['firefox', 'chromium'] as const])(
  'when %s calls %s with nobody in the middle',
  (first, second) => {
    it('should show both people the same six words in the call view, and take "They match" for an answer', async () => {
      await calls.start();
      const { a, b } = await startTwoPartyCall(
        calls.ownerLink(),
        { browser: calls.browser(first) },
        { browser: calls.browser(second) },
      );
      calls.track(a, b);
      await a.waitForText(UI.callStatus, 'In a call');
      await b.waitForText(UI.callStatus, 'In a call');
      const words = await a.verificationWords();
      expect(words.split(' ')).toHaveLength(6);
      expect(await b.verificationWords()).toBe(words);
      expect(await a.page.textOf({ testId: 'verify' })).toContain('Compare these words with Guest');
      await a.compareWords(true);
      await a.waitFor(UI.callStatus, 'the call still on');
      expect(await a.page.isVisible(UI.verifyWords)).toBe(false);
      expect(await b.page.isVisible(UI.verifyWords)).toBe(true); // B has not answered yet
    });
  },
);

/** This test's relay: disarmed before the fixture closes the pages it drives (after-hooks run last-registered first). */
let relay: MaliciousRelay | undefined;
afterEach(() => {
  relay?.disarm();
  relay = undefined;
});

describe.each(MITM_VARIANTS.flatMap((variant) => PAIRINGS.map(([first, second]) => [variant, first, second] as const)))(
  'when the server sits in the middle (%s) of a call from %s to %s',
  (variant: MitmVariant, first, second) => {
    it('should end with the call refused or the two people shown different words', async () => {
      relay = new MaliciousRelay(variant);
      const system = await calls.start({ interceptPosts: relay.intercept });
      const attacker = await AppUser.create(calls.browser('chromium'), 'attacker');
      const a = await AppUser.create(calls.browser(first), `A (${first})`);
      const b = await AppUser.create(calls.browser(second), `B (${second})`);
      calls.track(attacker, a, b);
      await relay.arm(attacker.page, calls.siteUrl(), system.gateway);
      await aWaitsBInLobby(calls.ownerLink(), a, b, '');
      await b.join();

      if (variant === 'decoy-to-answerer') {
        // B is offered the attacker's certificate behind A's: it refuses, so A never gets an answer.
        await b.waitForProblem('tampered');
        expect(relay.answeredA).toBe(false);
        expect((await rtcSnapshot(a.page))?.states).not.toContain('connected');
        return;
      }
      if (variant === 'decoy-to-offerer') {
        // A is answered with the attacker's certificate behind B's: it refuses and leaves.
        await a.waitForProblem('tampered');
        expect(relay.answeredA).toBe(true);
        return;
      }
      // The attacker really is in the middle: both people are in a call, each with the attacker.
      await a.waitForText(UI.callStatus, 'In a call');
      await b.waitForText(UI.callStatus, 'In a call');
      expect(await relay.states()).toEqual({ a: 'connected', b: 'connected' });
      const onA = await a.verificationWords();
      const onB = await b.verificationWords();
      expect(onA).not.toBe(onB);
      // They compare, and the words differ: the call ends with the warning.
      await a.compareWords(false);
      await a.waitForProblem('codes-differ');
    });
  },
);
