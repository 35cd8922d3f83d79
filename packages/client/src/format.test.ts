import { describe, expect, it } from 'vitest';
import type { Transfer } from './file-transfer';
import { callStatusText, formatBytes, qualityLevel, transferProgress, transferStatus } from './format';

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
