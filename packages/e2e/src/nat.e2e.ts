import { describe, expect, it } from 'vitest';
import { useNetworkLab } from './network-fixture';
import type { NatKind } from './network-lab';
import { startTwoPartyCall } from './parley-app';
import type { RtcSnapshot } from './rtc-probe';

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

/** Starts a call from `first`'s home to `second`'s, both behind `nat`; answers both parties' settled snapshots. */
async function callBetween(first: string, second: string, nat: NatKind): Promise<RtcSnapshot[]> {
  for (const label of [first, second]) await net.home(label).setNat(nat);
  const { a, b } = await startTwoPartyCall(
    net.siteUrl(),
    { browser: net.browser(first) },
    { browser: net.browser(second) },
  );
  net.track(a, b);
  const snapshots = [];
  for (const user of [a, b]) snapshots.push(await user.waitForCall());
  await a.sendChat(`hello from ${first}`);
  await b.waitForChat(`hello from ${first}`);
  const joined = await b.joinClickedAt();
  const pair = snapshots[1]?.selectedPair;
  // For the README's table of network results (not asserted: timings belong in benchmarks).
  console.log(
    `[networks] ${first} -> ${second}, ${nat} NATs: pair ${pair?.localType}/${pair?.remoteType} over ${pair?.protocol}` +
      `, B's Join -> first frame at B ${(snapshots[1]?.firstFrameAt ?? Number.NaN) - (joined ?? Number.NaN)} ms`,
  );
  return snapshots;
}

describe.each(PAIRINGS)('when %s calls %s', (first, second) => {
  it('behind endpoint-independent NATs, should connect directly over public addresses and relay nothing', async () => {
    for (const snapshot of await callBetween(first, second, 'endpoint-independent')) {
      // The local side of the pair is its public mapping (srflx, or prflx when learned from a check first).
      expect(['srflx', 'prflx']).toContain(snapshot.selectedPair?.localType);
      expect(['srflx', 'prflx']).toContain(snapshot.selectedPair?.remoteType);
      // TURN carried no media or data: relay is not paid for when it is not needed.
      expect(snapshot.relayedBytesSent).toBe(0);
    }
  });

  it('behind symmetric NATs, should relay through TURN over UDP', async () => {
    for (const snapshot of await callBetween(first, second, 'symmetric')) {
      const pair = snapshot.selectedPair;
      expect([pair?.localType, pair?.remoteType]).toContain('relay');
      // The relayed leg is UDP whichever side holds the allocation; locally held ones also name TURN's transport.
      expect(pair?.protocol).toBe('udp');
      if (pair?.localType === 'relay' && pair.relayProtocol !== undefined) expect(pair.relayProtocol).toBe('udp');
      expect(snapshot.relayedBytesSent).toBeGreaterThan(0);
    }
  });
});
