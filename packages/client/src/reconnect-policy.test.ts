import { describe, expect, it } from 'vitest';
import {
  isUnreachable,
  RECONNECT_ATTEMPTS_BEFORE_UNREACHABLE,
  RECONNECT_BASE_DELAY_MS,
  RECONNECT_MAX_DELAY_MS,
  reconnectDelayMs,
} from './reconnect-policy';

describe('when computing the back-off before a reconnect', () => {
  it('should start small and grow exponentially', () => {
    const fixed = () => 1 - Number.EPSILON;
    expect(reconnectDelayMs(0, fixed)).toBe(RECONNECT_BASE_DELAY_MS);
    expect(reconnectDelayMs(1, fixed)).toBe(RECONNECT_BASE_DELAY_MS * 2);
    expect(reconnectDelayMs(3, fixed)).toBe(RECONNECT_BASE_DELAY_MS * 8);
  });

  it('should never exceed the cap, however many attempts', () => {
    for (const attempt of [10, 50, 1000])
      expect(reconnectDelayMs(attempt, () => 1 - Number.EPSILON)).toBe(RECONNECT_MAX_DELAY_MS);
  });

  it('should spread clients out with jitter between half and all of the ceiling', () => {
    expect(reconnectDelayMs(4, () => 0)).toBe((RECONNECT_BASE_DELAY_MS * 16) / 2);
    const delays = new Set(Array.from({ length: 20 }, () => reconnectDelayMs(4)));
    expect(delays.size).toBeGreaterThan(1);
    for (const delay of delays) {
      expect(delay).toBeGreaterThanOrEqual((RECONNECT_BASE_DELAY_MS * 16) / 2);
      expect(delay).toBeLessThanOrEqual(RECONNECT_BASE_DELAY_MS * 16);
    }
  });
});

describe('when deciding whether to tell the user', () => {
  it('should call the server unreachable only after several failures', () => {
    expect(isUnreachable(RECONNECT_ATTEMPTS_BEFORE_UNREACHABLE - 1)).toBe(false);
    expect(isUnreachable(RECONNECT_ATTEMPTS_BEFORE_UNREACHABLE)).toBe(true);
  });
});
