import { plainTurnUrls, TURN_TCP_FALLBACK_PORT } from '@parley/turn';
import { describe, expect, it } from 'vitest';
import { rtcSnapshot, waitForMediaFlowing, waitForRelayProtocol } from './media-checks';
import { useNetworkLab } from './network-fixture';
import { LAB_SERVICE_ADDRESS } from './network-lab';
import { startTwoPartyCall } from './parley-app';

/*
 * A call from a network that lets only web traffic out (TCP to 443; no UDP, no other port), on a default deploy with
 * no domain: coturn answers TURN over plain TCP on 443 through the deploy's own nftables redirect, which the lab
 * applies in the public segment, and clients get the deploy's `turn:<ip>:443?transport=tcp` URL.
 */

const net = useNetworkLab(
  [
    { label: 'open home', browser: 'chromium', nat: 'endpoint-independent' },
    { label: 'web-only home', browser: 'chromium', nat: 'endpoint-independent', egress: 'web-only' },
  ],
  { turnTcpFallback: true },
);

/** The one way out of the web-only home: the TURN URL a default deploy hands out for TCP on 443. */
const FALLBACK_URL = `turn:${LAB_SERVICE_ADDRESS}:${TURN_TCP_FALLBACK_PORT}?transport=tcp`;

describe('a call from a network that lets only TCP 443 out', () => {
  it('should hand out the default deploy TURN URLs, the TCP one on 443 included', () => {
    const system = net.system();
    expect(system.turnUrls).toEqual(
      plainTurnUrls({ host: LAB_SERVICE_ADDRESS, port: system.turnPort, tcpFallbackPort: TURN_TCP_FALLBACK_PORT }),
    );
    expect(system.turnUrls).toContain(FALLBACK_URL);
  });

  it('should connect through TURN over TCP on port 443, video decoding both ways', async () => {
    const { a, b } = await startTwoPartyCall(
      net.ownerLink(),
      { browser: net.browser('open home') },
      { browser: net.browser('web-only home') },
    );
    net.track(a, b);
    for (const user of [a, b]) await user.waitForCall();

    const relayed = await waitForRelayProtocol(b.page, 'tcp', b.label);
    expect(relayed.selectedPair?.localType).toBe('relay');
    expect(relayed.selectedPair?.relayUrl).toBe(FALLBACK_URL);
    for (const user of [a, b]) {
      const snapshot = await waitForMediaFlowing(user.page, user.label);
      expect(snapshot.video.framesDecoded).toBeGreaterThan(0);
    }
    // Still on the 443 relay once media flows (nothing else can get out of B's home).
    const settled = await rtcSnapshot(b.page);
    expect(settled?.selectedPair).toMatchObject({ localType: 'relay', relayProtocol: 'tcp', relayUrl: FALLBACK_URL });
    const aPair = (await rtcSnapshot(a.page))?.selectedPair;
    const bPair = settled?.selectedPair;
    const joined = await b.joinClickedAt();
    // For the README's table of network results (not asserted: timings belong in benchmarks).
    console.log(
      `[networks] open home -> web-only home (TCP 443 out only): B's pair ${bPair?.localType}/${bPair?.remoteType}` +
        ` via ${bPair?.relayUrl}, A's pair ${aPair?.localType}/${aPair?.remoteType} over ${aPair?.protocol}` +
        `, B's Join -> first frame at B ${(settled?.firstFrameAt ?? Number.NaN) - (joined ?? Number.NaN)} ms`,
    );
  });
});
