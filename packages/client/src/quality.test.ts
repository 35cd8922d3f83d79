import { describe, expect, it } from 'vitest';
import { candidateCounts, readQuality, type StatsEntry } from './quality';

const candidates: StatsEntry[] = [
  { id: 'L1', type: 'local-candidate', candidateType: 'relay', protocol: 'udp', relayProtocol: 'tcp' },
  { id: 'L2', type: 'local-candidate', candidateType: 'host', protocol: 'udp' },
  { id: 'R1', type: 'remote-candidate', candidateType: 'host', protocol: 'udp' },
];

function chromiumReport(at: number, sent: number, received: number, packets: number, lost: number): StatsEntry[] {
  return [
    ...candidates,
    { id: 'T', type: 'transport', selectedCandidatePairId: 'P1', timestamp: at },
    { id: 'P0', type: 'candidate-pair', localCandidateId: 'L2', remoteCandidateId: 'R1', nominated: false },
    { id: 'P1', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', currentRoundTripTime: 0.042 },
    { id: 'O', type: 'outbound-rtp', kind: 'video', bytesSent: sent, timestamp: at },
    {
      id: 'I',
      type: 'inbound-rtp',
      kind: 'video',
      bytesReceived: received,
      packetsReceived: packets,
      packetsLost: lost,
      frameWidth: 640,
      frameHeight: 480,
      framesPerSecond: 30,
      timestamp: at,
    },
  ];
}

describe('when reading a Chromium stats report', () => {
  const quality = readQuality(chromiumReport(1000, 0, 0, 0, 0));

  it('should find the selected pair through the transport and describe the path', () => {
    expect(quality.path).toEqual({ relayed: true, protocol: 'tcp' });
  });
  it('should report the round-trip time in milliseconds', () => {
    expect(quality.roundTripMs).toBe(42);
  });
  it('should report the incoming video size and frame rate', () => {
    expect(quality.video).toEqual({ width: 640, height: 480, framesPerSecond: 30 });
  });
  it('should not report rates from a single report', () => {
    expect(quality.sendKbps).toBeUndefined();
    expect(quality.packetLossPercent).toBeUndefined();
  });
});

describe('when comparing two reports', () => {
  it('should compute bitrates and packet loss over the interval', () => {
    const first = readQuality(chromiumReport(1000, 10_000, 20_000, 100, 0));
    const second = readQuality(chromiumReport(3000, 260_000, 520_000, 295, 5), first.counters);
    expect(second.sendKbps).toBe(1000);
    expect(second.receiveKbps).toBe(2000);
    expect(second.packetLossPercent).toBe(2.5);
  });
});

describe('when reading a Firefox stats report', () => {
  it('should use the pair marked selected and call a host pair direct', () => {
    const quality = readQuality([
      ...candidates,
      { id: 'P0', type: 'candidate-pair', localCandidateId: 'L1', remoteCandidateId: 'R1', nominated: true },
      {
        id: 'P1',
        type: 'candidate-pair',
        localCandidateId: 'L2',
        remoteCandidateId: 'R1',
        selected: true,
        nominated: true,
        state: 'succeeded',
      },
    ]);
    expect(quality.path).toEqual({ relayed: false, protocol: 'udp' });
    expect(quality.roundTripMs).toBeUndefined();
  });
});

describe('when nothing is connected yet', () => {
  it('should report no path', () => {
    expect(readQuality(candidates).path).toBeUndefined();
  });
});

describe('when counting ICE candidates for the debug panel', () => {
  it('should count each side by type and protocol', () => {
    const counts = candidateCounts([
      { id: 'a', type: 'local-candidate', candidateType: 'host', protocol: 'udp' },
      { id: 'b', type: 'local-candidate', candidateType: 'host', protocol: 'udp' },
      { id: 'c', type: 'local-candidate', candidateType: 'relay', protocol: 'udp', relayProtocol: 'tcp' },
      { id: 'd', type: 'remote-candidate', candidateType: 'srflx', protocol: 'udp' },
      { id: 'e', type: 'candidate-pair' },
    ]);
    expect(counts).toEqual({ local: { 'host udp': 2, 'relay tcp': 1 }, remote: { 'srflx udp': 1 } });
  });
});
