import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type Home,
  LAB_SERVICE_ADDRESS,
  NAMESPACE_PREFIX,
  NetworkLab,
  run,
  sweepStaleLabs,
  udpProbe,
} from './network-lab';

/*
 * The network lab itself, checked with plain UDP before any browser relies on it: a lab that quietly lets
 * everything through (or nothing) would make every network scenario meaningless.
 */

/** Echo servers on the public segment: two destinations tell endpoint-independent from symmetric mappings. */
const ECHO_PORTS = [4001, 4002];

/** A port an echo server in a home listens on (to show that nothing unsolicited gets in). */
const HOME_ECHO_PORT = 6000;

/** Datagrams per loss measurement: enough that 5 % loss each way lands far inside the bounds below. */
const LOSS_SAMPLE = 400;

/** One-way delay of the delayed home's link (the call-setup benchmark's 50 ms). */
const LINK_DELAY_MS = 50;

let lab: NetworkLab;
let cone: Home;
let symmetric: Home;
const echoTargets = ECHO_PORTS.map((port) => `${LAB_SERVICE_ADDRESS}:${port}`);

beforeAll(async () => {
  lab = await NetworkLab.create();
  cone = await lab.addHome('cone', 'endpoint-independent');
  symmetric = await lab.addHome('symmetric', 'symmetric');
  for (const port of ECHO_PORTS) await lab.startUdpEcho(lab.publicNamespace, LAB_SERVICE_ADDRESS, port);
  await lab.startUdpEcho(cone.namespace, cone.lanAddress, HOME_ECHO_PORT);
});
afterAll(() => lab?.remove());

describe('the network lab', () => {
  it('should map a home behind an endpoint-independent NAT to one public address and port for every destination', async () => {
    const probe = await udpProbe(cone.namespace, 5000, 3, echoTargets);
    expect(probe.replies).toBe(probe.sent);
    expect(probe.seenAs).toEqual([`${cone.wanAddress}:5000`]);
  });

  it('should map a home behind a symmetric NAT to a new public port per destination', async () => {
    const probe = await udpProbe(symmetric.namespace, 5000, 3, echoTargets);
    expect(probe.replies).toBe(probe.sent);
    expect(probe.seenAs).toHaveLength(ECHO_PORTS.length);
    for (const seen of probe.seenAs) expect(seen.startsWith(`${symmetric.wanAddress}:`)).toBe(true);
  });

  it('should let nothing unsolicited into a home, neither at its public address nor at its private one', async () => {
    const atPublic = await udpProbe(lab.publicNamespace, 5001, 3, [`${cone.wanAddress}:${HOME_ECHO_PORT}`]);
    expect(atPublic.replies).toBe(0);
    const fromOtherHome = await udpProbe(symmetric.namespace, 5001, 3, [`${cone.lanAddress}:${HOME_ECHO_PORT}`]);
    expect(fromOtherHome.replies).toBe(0);
  });

  it('should drop a share of packets on a lossy link, and none once the loss is removed', async () => {
    await cone.impair({ lossPercent: 5 });
    const lossy = await udpProbe(cone.namespace, 5002, LOSS_SAMPLE, [echoTargets[0] as string]);
    await cone.impair({});
    const clean = await udpProbe(cone.namespace, 5003, LOSS_SAMPLE, [echoTargets[0] as string]);
    // 5 % each way: ~9.75 % of round trips lost; these bounds are more than 5 standard deviations away.
    const lost = 1 - lossy.replies / lossy.sent;
    expect(lost).toBeGreaterThan(0.02);
    expect(lost).toBeLessThan(0.2);
    expect(clean.replies).toBe(clean.sent);
  });

  it('should put a bandwidth cap on both directions of a router', async () => {
    await cone.impair({ rateKbit: 300 });
    for (const device of ['wan', 'lan']) {
      const qdisc = await run('tc', ['-n', cone.routerNamespace, 'qdisc', 'show', 'dev', device]);
      expect(qdisc).toMatch(/tbf .*rate 300Kbit/);
    }
    await cone.impair({});
  });

  it('should give a home a new public address on a network change, with the old mappings gone', async () => {
    const before = cone.wanAddress;
    const after = await cone.changePublicAddress();
    expect(after).not.toBe(before);
    const probe = await udpProbe(cone.namespace, 5000, 3, echoTargets);
    expect(probe.replies).toBe(probe.sent);
    expect(probe.seenAs).toEqual([`${after}:5000`]);
  });
});

describe('a home with a delayed link', () => {
  it('should see the public segment one delay away each way, and still go through its NAT', async () => {
    const far = await lab.addHome('far', 'endpoint-independent', { delayMs: LINK_DELAY_MS });
    const probe = await udpProbe(far.namespace, 5000, 1, [echoTargets[0] as string]);
    expect(probe.seenAs).toEqual([`${far.wanAddress}:5000`]);
    expect(probe.firstReplyMs).toBeGreaterThanOrEqual(2 * LINK_DELAY_MS);
    // Re-addressing works on a delayed link too (its route on the public side moves with it).
    const moved = await far.changePublicAddress();
    expect((await udpProbe(far.namespace, 5000, 1, [echoTargets[0] as string])).seenAs).toEqual([`${moved}:5000`]);
  });
});

describe('lab cleanup', () => {
  it('should remove every namespace of a lab, and sweep the labs of runs that were killed', async () => {
    const other = await NetworkLab.create();
    await other.addHome('x', 'symmetric');
    expect(await other.namespaces()).toHaveLength(3);
    await other.remove();
    expect(await other.namespaces()).toHaveLength(0);

    // A lab left by a process that no longer exists (pid 4194304 is above Linux's largest pid).
    const stale = `${NAMESPACE_PREFIX}4194304-1-pub`;
    await run('ip', ['netns', 'add', stale]);
    expect(await sweepStaleLabs()).toContain(stale);
    expect(await run('ip', ['netns', 'list'])).not.toContain(stale);
    // The live lab of this very file is left alone.
    expect(await lab.namespaces()).toHaveLength(7);
  });
});
