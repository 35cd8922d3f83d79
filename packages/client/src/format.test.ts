import { describe, expect, it } from 'vitest';
import type { Transfer } from './file-transfer';
import {
  callStatusText,
  formatBitrate,
  formatBytes,
  formatSeconds,
  qualityLevel,
  qualityRows,
  transferProgress,
  transferStatus,
} from './format';
import type { CallQuality } from './quality';

const counters = { timestamp: 0, bytesSent: 0, bytesReceived: 0, packetsReceived: 0, packetsLost: 0 };
const direct = { relayed: false, protocol: 'udp' } as const;
const transfer = (extra: Partial<Transfer<unknown>>): Transfer<unknown> => ({
  id: '1',
  direction: 'send',
  name: 'a.txt',
  size: 10_000_000,
  mime: 'text/plain',
  state: 'transferring',
  bytes: 3_400_000,
  bytesPerSecond: 1_100_000,
  ...extra,
});

describe('when formatting numbers', () => {
  it('should show sizes in decimal units', () => {
    expect(formatBytes(0)).toBe('0 B');
    expect(formatBytes(999)).toBe('999 B');
    expect(formatBytes(1_400_000)).toBe('1.4 MB');
    expect(formatBytes(250_000_000)).toBe('250 MB');
    expect(formatBytes(1_000_000_000)).toBe('1.0 GB');
  });

  it('should show bitrates in kbit/s or Mbit/s', () => {
    expect(formatBitrate(850)).toBe('850 kbit/s');
    expect(formatBitrate(2400)).toBe('2.4 Mbit/s');
  });

  it('should show short durations with hundredths', () => {
    expect(formatSeconds(250)).toBe('0.25 s');
    expect(formatSeconds(42_000)).toBe('42 s');
  });
});

describe('when describing a transfer', () => {
  it('should show progress and rate while it runs', () => {
    expect(transferProgress(transfer({}))).toBe('3.4 MB of 10 MB · 1.1 MB/s');
    expect(transferStatus(transfer({}))).toBe('3.4 MB of 10 MB · 1.1 MB/s');
  });

  it('should say who waits for whom while offered', () => {
    expect(transferStatus(transfer({ state: 'offered' }))).toBe('10 MB · waiting for the other person to accept…');
    expect(transferStatus(transfer({ state: 'offered', direction: 'receive' }))).toBe(
      'Wants to send you a file · 10 MB',
    );
  });

  it('should give the reason when it failed', () => {
    expect(transferStatus(transfer({ state: 'failed', reason: 'The file arrived damaged.' }))).toBe(
      'The file arrived damaged.',
    );
  });

  it('should say it arrived when done', () => {
    expect(transferStatus(transfer({ state: 'done', direction: 'receive' }))).toBe('Received · 10 MB');
  });
});

describe('when rating call quality', () => {
  it('should be unknown before a path is selected', () => {
    expect(qualityLevel(undefined)).toBe('unknown');
    expect(qualityLevel({ counters })).toBe('unknown');
  });

  it('should be good on a short, clean path', () => {
    expect(qualityLevel({ counters, path: direct, roundTripMs: 30, packetLossPercent: 0 })).toBe('good');
  });

  it('should be fair or poor as round trip or loss grow', () => {
    expect(qualityLevel({ counters, path: direct, roundTripMs: 250 })).toBe('fair');
    expect(qualityLevel({ counters, path: direct, roundTripMs: 30, packetLossPercent: 5 })).toBe('fair');
    expect(qualityLevel({ counters, path: direct, roundTripMs: 600 })).toBe('poor');
    expect(qualityLevel({ counters, path: direct, packetLossPercent: 12 })).toBe('poor');
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

describe('when showing the call status', () => {
  it('should name the other person, or call them Guest', () => {
    expect(callStatusText('connected', 'Ada')).toBe('In a call with Ada');
    expect(callStatusText('connecting', undefined)).toBe('Connecting to Guest…');
    expect(callStatusText('peer-left', 'Ada')).toBe('Ada left the call');
  });

  it('should say it is reconnecting', () => {
    expect(callStatusText('reconnecting', 'Ada')).toBe('Reconnecting…');
  });
});
