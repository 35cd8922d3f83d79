import { describe, expect, it } from 'vitest';
import { CALL_DEADLINE_MS, rtcSnapshot, waitForMediaFlowing } from './media-checks';
import { useNetworkLab } from './network-fixture';
import type { NatKind } from './network-lab';
import { type AppUser, startTwoPartyCall } from './parley-app';
import type { RtcSnapshot } from './rtc-probe';
import { waitUntil } from './wait';

/*
 * Calls between homes behind NAT routers in the network lab (network-lab.ts), with the local system (site,
 * signaling, coturn) on the public segment as on AWS: the browsers reach each other only through their routers.
 */

const net = useNetworkLab([
  { label: 'chromium A', browser: 'chromium', nat: 'endpoint-independent' },
  { label: 'chromium B', browser: 'chromium', nat: 'endpoint-independent' },
  { label: 'firefox', browser: 'firefox', nat: 'endpoint-independent' },
]);

/** Both parties' homes for each browser pairing. */
const PAIRINGS = [
  ['chromium A', 'chromium B'],
  ['firefox', 'chromium B'],
] as const;

/** Starts a call from `first`'s home to `second`'s, both behind `nat`; answers both parties. */
async function callBetween(first: string, second: string, nat: NatKind): Promise<AppUser[]> {
  for (const label of [first, second]) await net.home(label).setNat(nat);
  const { a, b } = await startTwoPartyCall(
    net.ownerLink(),
    { browser: net.browser(first) },
    { browser: net.browser(second) },
  );
  net.track(a, b);
  for (const user of [a, b]) await user.waitForCall();
  await a.sendChat(`hello from ${first}`);
  await b.waitForChat(`hello from ${first}`);
  const snapshot = await rtcSnapshot(b.page);
  const joined = await b.joinClickedAt();
  const pair = snapshot?.selectedPair;
  // For the README's table of network results (not asserted: timings belong in benchmarks).
  console.log(
    `[networks] ${first} -> ${second}, ${nat} NATs: pair ${pair?.localType}/${pair?.remoteType} over ${pair?.protocol}` +
      `, B's Join -> first frame at B ${(snapshot?.firstFrameAt ?? Number.NaN) - (joined ?? Number.NaN)} ms` +
      `, relayed bytes sent by B ${snapshot?.relayedBytesSent}`,
  );
  return [a, b];
}

/** Waits until the user's call runs on a direct pair: both ends public mappings (srflx, or prflx learned first). */
function waitForDirectPath(user: AppUser): Promise<RtcSnapshot> {
  return waitUntil(
    async () => {
      const snapshot = await rtcSnapshot(user.page);
      const pair = snapshot?.selectedPair;
      return pair && DIRECT_TYPES.includes(pair.localType) && DIRECT_TYPES.includes(pair.remoteType)
        ? snapshot
        : undefined;
    },
    { description: `${user.label}: a direct path over public addresses`, timeoutMs: CALL_DEADLINE_MS },
  );
}

/** Candidate types of a direct path across NATs. */
const DIRECT_TYPES = ['srflx', 'prflx'];

describe.each(PAIRINGS)('when %s calls %s', (first, second) => {
  it('behind endpoint-independent NATs, should connect directly over public addresses and relay nothing', async () => {
    for (const user of await callBetween(first, second, 'endpoint-independent')) {
      const settled = await waitForDirectPath(user);
      // Once direct, TURN carries nothing more: relay is not paid for when it is not needed. (A relay pair that
      // passed its checks first may carry the first few KB while the direct pair is still being checked.)
      const later = await waitForMediaFlowing(user.page, user.label);
      expect(later.selectedPair).toEqual(settled.selectedPair);
      expect(later.relayedBytesSent).toBe(settled.relayedBytesSent);
    }
  });

  it('behind symmetric NATs, should relay through TURN over UDP', async () => {
    for (const user of await callBetween(first, second, 'symmetric')) {
      const snapshot = await waitForMediaFlowing(user.page, user.label);
      const pair = snapshot.selectedPair;
      expect([pair?.localType, pair?.remoteType]).toContain('relay');
      // The relayed leg is UDP whichever side holds the allocation; locally held ones also name TURN's transport.
      expect(pair?.protocol).toBe('udp');
      if (pair?.localType === 'relay' && pair.relayProtocol !== undefined) expect(pair.relayProtocol).toBe('udp');
      expect(snapshot.relayedBytesSent).toBeGreaterThan(0);
    }
  });
});
