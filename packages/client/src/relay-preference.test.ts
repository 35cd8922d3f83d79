import { describe, expect, it } from 'vitest';
import { preferUdpRelay, type RelayPreferencePeer, relayTransport } from './relay-preference';

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

class FakePeer extends EventTarget implements RelayPreferencePeer {
  connectionState: RTCPeerConnectionState = 'connecting';
  configurations: RTCConfiguration[] = [];
  restarts = 0;
  constructor(private readonly report: Map<string, unknown>) {
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

const UDP_ONLY: RTCConfiguration = { iceServers: [{ urls: ['turn:203.0.113.10:3478?transport=udp'] }] };

function watch(peer: FakePeer) {
  const log: string[] = [];
  preferUdpRelay(peer, { udpOnly: () => UDP_ONLY, log: (line) => log.push(line) });
  return log;
}

describe('preferUdpRelay', () => {
  it('should restart ICE over UDP only when connected over a TCP relay while a UDP relay candidate works', async () => {
    const peer = new FakePeer(statsReport('tcp', ['udp', 'tcp']));
    const log = watch(peer);
    await peer.connect();
    expect(peer.restarts).toBe(1);
    expect(peer.configurations).toEqual([UDP_ONLY]);
    expect(log.join()).toContain('restarting ICE over UDP');
    // Once per connection: a later reconnect over TCP is left alone (UDP may have stopped working).
    await peer.connect();
    expect(peer.restarts).toBe(1);
  });

  it.each([
    ['a UDP relay', statsReport('udp', ['udp', 'tcp'])],
    ['a direct path', statsReport('host', ['udp', 'tcp'])],
    ['a TCP relay where UDP got no relay candidate (UDP blocked)', statsReport('tcp', ['tcp'])],
  ])('should leave %s alone', async (_what, report) => {
    const peer = new FakePeer(report);
    watch(peer);
    await peer.connect();
    expect(peer.restarts).toBe(0);
    expect(peer.configurations).toEqual([]);
  });

  it('should find the selected pair the way Firefox marks it (no transport stats)', () => {
    const report = statsReport('tcp', ['udp', 'tcp']);
    report.delete('transport');
    report.set('pair', { ...(report.get('pair') as object), selected: true });
    expect(relayTransport(report.values())).toEqual({ selected: 'tcp', udpRelayGathered: true });
  });
});
