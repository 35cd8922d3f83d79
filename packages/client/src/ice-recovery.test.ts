import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ICE_DISCONNECTED_GRACE_MS, IceRecovery, POLITE_RESTART_DELAY_MS } from './ice-recovery';

function connection(state: RTCPeerConnectionState = 'connected') {
  return {
    connectionState: state,
    iceConnectionState: 'connected' as RTCIceConnectionState,
    restarts: 0,
    restartIce() {
      this.restarts += 1;
    },
  };
}

function recovery(polite: boolean) {
  const pc = connection();
  const log: string[] = [];
  return { pc, log, recovery: new IceRecovery(pc, { polite, log: (line) => log.push(line) }) };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

describe('when the connection fails', () => {
  it('should restart at once on the impolite side, saying why', () => {
    const { pc, log, recovery: r } = recovery(false);
    pc.connectionState = 'failed';
    r.connectionStateChanged();
    expect(pc.restarts).toBe(1);
    expect(log).toEqual(['ICE restart: connection-failed']);
  });

  it('should restart on the polite side only if the impolite side has not fixed it by then', () => {
    const { pc, log, recovery: r } = recovery(true);
    pc.connectionState = 'failed';
    r.connectionStateChanged();
    vi.advanceTimersByTime(POLITE_RESTART_DELAY_MS - 1);
    expect(pc.restarts).toBe(0);
    vi.advanceTimersByTime(1);
    expect(pc.restarts).toBe(1);
    expect(log).toEqual(['ICE restart: still-failed']);
  });

  it('should not restart on the polite side when the connection healed meanwhile', () => {
    const { pc, recovery: r } = recovery(true);
    pc.connectionState = 'failed';
    r.connectionStateChanged();
    pc.connectionState = 'connected';
    vi.advanceTimersByTime(POLITE_RESTART_DELAY_MS);
    expect(pc.restarts).toBe(0);
  });
});

describe('when the connection is disconnected', () => {
  it('should give it a grace period, then restart (impolite side at once)', () => {
    const { pc, log, recovery: r } = recovery(false);
    pc.connectionState = 'disconnected';
    r.connectionStateChanged();
    vi.advanceTimersByTime(ICE_DISCONNECTED_GRACE_MS);
    expect(pc.restarts).toBe(1);
    expect(log).toEqual(['ICE restart: still-disconnected']);
  });

  it('should, on the polite side, wait for the other side once more after the grace period', () => {
    const { pc, recovery: r } = recovery(true);
    pc.connectionState = 'disconnected';
    r.connectionStateChanged();
    vi.advanceTimersByTime(ICE_DISCONNECTED_GRACE_MS + POLITE_RESTART_DELAY_MS - 1);
    expect(pc.restarts).toBe(0);
    vi.advanceTimersByTime(1);
    expect(pc.restarts).toBe(1);
  });
});

describe('when the peer resumes its signaling', () => {
  it('should restart on the impolite side if the path is not connected, and never on the polite side', () => {
    const impolite = recovery(false);
    impolite.pc.iceConnectionState = 'disconnected';
    impolite.recovery.peerResumed();
    expect(impolite.log).toEqual(['ICE restart: peer-resumed']);
    expect(impolite.pc.restarts).toBe(1);
    const polite = recovery(true);
    polite.pc.iceConnectionState = 'disconnected';
    polite.recovery.peerResumed();
    expect(polite.pc.restarts).toBe(0);
  });
});

describe('when the connection is closed', () => {
  it('should restart nothing after', () => {
    const { pc, recovery: r } = recovery(true);
    pc.connectionState = 'failed';
    r.connectionStateChanged();
    r.close();
    vi.advanceTimersByTime(POLITE_RESTART_DELAY_MS * 2);
    expect(pc.restarts).toBe(0);
  });
});
