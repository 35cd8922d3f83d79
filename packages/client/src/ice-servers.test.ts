import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { readCallOptions } from './call-options';
import { IceServers, MIN_TURN_REFRESH_MS, TURN_REFRESH_MARGIN_MS } from './ice-servers';

const granted = [
  { urls: ['stun:203.0.113.7:3478'] },
  {
    urls: ['turn:203.0.113.7:3478?transport=udp', 'turn:203.0.113.7:3478?transport=tcp'],
    username: '1700007200:m',
    credential: 'c',
  },
];

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('IceServers', () => {
  it('should ask for new credentials TURN_REFRESH_MARGIN_MS before they expire, and not after stop', () => {
    const refresh = vi.fn();
    const servers = new IceServers(readCallOptions(''), refresh);
    servers.update(granted, Date.now() + 60 * 60_000);
    vi.advanceTimersByTime(60 * 60_000 - TURN_REFRESH_MARGIN_MS - 1);
    expect(refresh).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(refresh).toHaveBeenCalledTimes(1);

    servers.update(granted, Date.now() + 60 * 60_000);
    servers.stop();
    vi.advanceTimersByTime(60 * 60_000);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('should not ask more often than MIN_TURN_REFRESH_MS, even for credentials about to expire', () => {
    const refresh = vi.fn();
    new IceServers(readCallOptions(''), refresh).update(granted, Date.now() + 1_000);
    vi.advanceTimersByTime(MIN_TURN_REFRESH_MS - 1);
    expect(refresh).not.toHaveBeenCalled();
    vi.advanceTimersByTime(1);
    expect(refresh).toHaveBeenCalledTimes(1);
  });

  it('should give connections the options the person chose, and know when no UDP TURN is allowed', () => {
    const relayed = new IceServers(readCallOptions('?relay'), () => undefined);
    relayed.update(granted);
    expect(relayed.configuration().iceTransportPolicy).toBe('relay');
    expect(relayed.hasUdpTurn()).toBe(true);
    expect(relayed.udpOnlyConfiguration().iceServers?.flatMap((s) => s.urls)).not.toContain(
      'turn:203.0.113.7:3478?transport=tcp',
    );

    const tcpOnly = new IceServers(readCallOptions('?tcp'), () => undefined);
    tcpOnly.update(granted);
    expect(tcpOnly.hasUdpTurn()).toBe(false);
  });
});
