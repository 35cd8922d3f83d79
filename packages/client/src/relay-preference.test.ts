import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import {
  preferUdpRelay,
  RELAY_CHECK_INTERVAL_MS,
  RELAY_WATCH_MS,
  type RelayPreferencePeer,
  relayTransport,
} from './relay-preference';

/** Stats of a connection whose selected pair uses a local relay candidate over `selected`. */
function statsReport(selected: 'udp' | 'tcp' | 'host', gathered: ('udp' | 'tcp')[]): Map<string, unknown> {
  const report = new Map<string, unknown>();
  const add = (stat: { id: string; type: string } & Record<string, unknown>) => report.set(stat.id, stat);
  gathered.forEach((protocol, index) => {
    add({ id: `relay-${index}`, type: 'local-candidate', candidateType: 'relay', relayProtocol: protocol });
  });
  add({ id: 'host', type: 'local-candidate', candidateType: 'host' });
  const localId = selected === 'host' ? 'host' : `relay-${gathered.indexOf(selected)}`;
  add({ id: 'pair', type: 'candidate-pair', localCandidateId: localId, remoteCandidateId: 'remote' });
  add({ id: 'transport', type: 'transport', selectedCandidatePairId: 'pair' });
  return report;
}

/** The same stats before the browser reports a selected pair (just after `connected`). */
function withoutSelectedPair(report: Map<string, unknown>): Map<string, unknown> {
  report.delete('transport');
  return report;
}

class FakePeer extends EventTarget implements RelayPreferencePeer {
  connectionState: RTCPeerConnectionState = 'connecting';
  configurations: RTCConfiguration[] = [];
  restarts = 0;
  constructor(public report: Map<string, unknown>) {
    super();
  }
  async getStats() {
    return this.report;
  }
  setConfiguration(configuration: RTCConfiguration) {
    this.configurations.push(configuration);
  }
  restartIce() {
    this.restarts++;
  }
  async connect() {
    this.connectionState = 'connected';
    this.dispatchEvent(new Event('connectionstatechange'));
    await new Promise((resolve) => setTimeout(resolve, 0));
  }
}

/** FakePeer.connect waits a timer tick; under fake timers that tick must be advanced by hand. */
async function connectWithFakeTimers(peer: FakePeer): Promise<void> {
  const connected = peer.connect();
  await vi.advanceTimersByTimeAsync(0);
  await connected;
}

const UDP_ONLY: RTCConfiguration = { iceServers: [{ urls: ['turn:203.0.113.10:3478?transport=udp'] }] };

function watch(peer: FakePeer) {
  const log: string[] = [];
  preferUdpRelay(peer, { udpOnly: () => UDP_ONLY, hasUdpTurn: () => true, log: (line) => log.push(line) });
  return log;
}

describe('preferUdpRelay', () => {
  beforeEach(() => {
    vi.useFakeTimers();
  });
  afterEach(() => {
    vi.useRealTimers();
  });

  it('should restart ICE over UDP only when connected over a TCP relay while a UDP relay candidate works', async () => {
    const peer = new FakePeer(statsReport('tcp', ['udp', 'tcp']));
    const log = watch(peer);
    await connectWithFakeTimers(peer);
    expect(peer.restarts).toBe(1);
    expect(peer.configurations).toEqual([UDP_ONLY]);
    expect(log.join()).toContain('restarting ICE over UDP');
    // Once per connection: a later reconnect over TCP is left alone (UDP may have stopped working).
    await connectWithFakeTimers(peer);
    expect(peer.restarts).toBe(1);
  });

  it.each([
    ['a UDP relay', statsReport('udp', ['udp', 'tcp'])],
    ['a direct path', statsReport('host', ['udp', 'tcp'])],
  ])('should leave %s alone', async (_what, report) => {
    const peer = new FakePeer(report);
    watch(peer);
    await connectWithFakeTimers(peer);
    expect(peer.restarts).toBe(0);
    expect(peer.configurations).toEqual([]);
  });

  it('should also steer when the TCP path shows up only after connecting (no pair reported yet, or a later nomination)', async () => {
    const peer = new FakePeer(withoutSelectedPair(statsReport('tcp', ['udp', 'tcp'])));
    watch(peer);
    await connectWithFakeTimers(peer);
    expect(peer.restarts).toBe(0);
    await vi.advanceTimersByTimeAsync(RELAY_CHECK_INTERVAL_MS);
    peer.report = statsReport('udp', ['udp', 'tcp']);
    await vi.advanceTimersByTimeAsync(RELAY_CHECK_INTERVAL_MS);
    expect(peer.restarts).toBe(0);
    peer.report = statsReport('tcp', ['udp', 'tcp']);
    await vi.advanceTimersByTimeAsync(RELAY_CHECK_INTERVAL_MS);
    expect(peer.restarts).toBe(1);
    // Once: no more checks after steering.
    await vi.advanceTimersByTimeAsync(RELAY_WATCH_MS);
    expect(peer.restarts).toBe(1);
  });

  it('should keep watching through a moment away from connected, and steer once the TCP path shows', async () => {
    const peer = new FakePeer(withoutSelectedPair(statsReport('tcp', ['udp', 'tcp'])));
    watch(peer);
    await connectWithFakeTimers(peer);
    // A consent check missed on a loaded machine: briefly disconnected, then connected again on a TCP relay.
    peer.connectionState = 'disconnected';
    await vi.advanceTimersByTimeAsync(RELAY_CHECK_INTERVAL_MS);
    peer.connectionState = 'connected';
    peer.report = statsReport('tcp', ['udp', 'tcp']);
    await vi.advanceTimersByTimeAsync(RELAY_CHECK_INTERVAL_MS);
    expect(peer.restarts).toBe(1);
    expect(peer.configurations).toEqual([UDP_ONLY]);
  });

  it('should start at once on a connection that is connected already (its code loads on its own)', async () => {
    const peer = new FakePeer(statsReport('tcp', ['udp', 'tcp']));
    peer.connectionState = 'connected';
    watch(peer);
    await vi.advanceTimersByTimeAsync(0);
    expect(peer.restarts).toBe(1);
    expect(peer.configurations).toEqual([UDP_ONLY]);
  });

  it('should stop watching a closed connection', async () => {
    const peer = new FakePeer(withoutSelectedPair(statsReport('tcp', ['udp', 'tcp'])));
    watch(peer);
    await connectWithFakeTimers(peer);
    peer.connectionState = 'closed';
    await vi.advanceTimersByTimeAsync(RELAY_CHECK_INTERVAL_MS);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('should gather once more when on a TCP relay with no UDP relay candidate, and leave it at that if UDP is blocked', async () => {
    const peer = new FakePeer(statsReport('tcp', ['tcp']));
    const log = watch(peer);
    await connectWithFakeTimers(peer);
    expect(peer.restarts).toBe(1);
    expect(peer.configurations).toEqual([]); // the same configuration: gather again, UDP included
    expect(log.join()).toContain('gathering again');
    // UDP is blocked: still no UDP relay candidate after gathering again. Nothing more happens.
    await vi.advanceTimersByTimeAsync(2 * RELAY_WATCH_MS);
    expect(peer.restarts).toBe(1);
  });

  it('should steer to UDP when gathering again brought a UDP relay candidate', async () => {
    const peer = new FakePeer(statsReport('tcp', ['tcp']));
    watch(peer);
    await connectWithFakeTimers(peer);
    peer.report = statsReport('tcp', ['udp', 'tcp']);
    await vi.advanceTimersByTimeAsync(RELAY_CHECK_INTERVAL_MS);
    expect(peer.restarts).toBe(2);
    expect(peer.configurations).toEqual([UDP_ONLY]);
  });

  it('should stop watching after the watch period', async () => {
    const peer = new FakePeer(statsReport('udp', ['udp', 'tcp']));
    watch(peer);
    await connectWithFakeTimers(peer);
    await vi.advanceTimersByTimeAsync(RELAY_WATCH_MS + RELAY_CHECK_INTERVAL_MS);
    peer.report = statsReport('tcp', ['udp', 'tcp']);
    await vi.advanceTimersByTimeAsync(RELAY_WATCH_MS);
    expect(peer.restarts).toBe(0);
  });

  it('should find the selected pair the way Firefox marks it (no transport stats)', () => {
    const report = statsReport('tcp', ['udp', 'tcp']);
    report.delete('transport');
    report.set('pair', { ...(report.get('pair') as object), selected: true });
    expect(relayTransport(report.values())).toEqual({ selected: 'tcp', udpRelayGathered: true });
  });
});
