import { describe, expect, it } from 'vitest';
import type { CallQuality } from './quality';
import { formatBitrate, formatSeconds, qualityRows } from './quality-figures';

const counters = { timestamp: 0, bytesSent: 0, bytesReceived: 0, packetsReceived: 0, packetsLost: 0 };
const direct = { relayed: false, protocol: 'udp' } as const;

describe('when formatting the quality panel figures', () => {
  it('should show bitrates in kbit/s or Mbit/s', () => {
    expect(formatBitrate(850)).toBe('850 kbit/s');
    expect(formatBitrate(2400)).toBe('2.4 Mbit/s');
  });

  it('should show short durations with hundredths', () => {
    expect(formatSeconds(250)).toBe('0.25 s');
    expect(formatSeconds(42_000)).toBe('42 s');
  });
});

describe('when listing the quality panel rows', () => {
  it('should show every measured figure', () => {
    const quality: CallQuality = {
      counters,
      path: { ...direct, relayed: true, protocol: 'tcp' },
      roundTripMs: 42,
      receiveKbps: 1800,
      sendKbps: 640,
      packetLossPercent: 0.5,
      video: { width: 640, height: 480, framesPerSecond: 29.7 },
    };
    expect(Object.fromEntries(qualityRows(quality, { setupMs: 250, firstFrameMs: 330 }))).toEqual({
      Connection: 'Relayed (TCP)',
      'Round trip': '42 ms',
      Receiving: '1.8 Mbit/s',
      Sending: '640 kbit/s',
      'Packet loss': '0.5 %',
      Video: '640×480, 30 fps',
      'Call setup': '0.25 s',
      'First frame': '0.33 s',
    });
  });

  it('should show a dash for what is not known yet', () => {
    const rows = Object.fromEntries(qualityRows(undefined, {}));
    expect(rows.Connection).toBe('–');
    expect(rows['First frame']).toBe('–');
  });
});
