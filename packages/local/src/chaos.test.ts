import { describe, expect, it } from 'vitest';
import { ChaosPlanner, DEFAULT_CHAOS, parseChaosSpec } from './chaos';

describe('when planning deliveries under chaos', () => {
  it('should deliver at once and exactly once without chaos', () => {
    const planner = new ChaosPlanner();
    expect(Array.from({ length: 5 }, () => planner.plan('outbound'))).toEqual(Array(5).fill(undefined));
  });

  it('should replay the same plan for the same seed', () => {
    const settings = { seed: 11, delayMs: 5, jitterMs: 100, duplicateProbability: 0.3, inbound: true };
    const run = () => {
      const planner = new ChaosPlanner(settings);
      return Array.from({ length: 50 }, () => planner.plan('outbound'));
    };
    const plans = run();
    expect(run()).toEqual(plans);
    expect(plans.some((plan) => plan?.length === 2)).toBe(true);
    expect(plans.flat().every((delay) => delay !== undefined && delay >= 5 && delay < 105)).toBe(true);
  });

  it('should leave inbound invocations alone unless inbound is set', () => {
    const planner = new ChaosPlanner({ delayMs: 10 });
    expect(planner.plan('inbound')).toBeUndefined();
    expect(planner.plan('outbound')).toEqual([10]);
  });

  it('should refuse settings out of range', () => {
    expect(() => new ChaosPlanner({ duplicateProbability: 1.5 })).toThrow(/duplicateProbability/);
    expect(() => new ChaosPlanner({ delayMs: -1 })).toThrow(/delayMs/);
  });
});

describe('when parsing the --chaos flag', () => {
  it('should turn on the defaults for an empty spec', () => {
    expect(parseChaosSpec('')).toEqual(DEFAULT_CHAOS);
  });

  it('should read every key', () => {
    expect(parseChaosSpec('seed=9,delay=1,jitter=2,duplicate=0.5,inbound=false')).toEqual({
      seed: 9,
      delayMs: 1,
      jitterMs: 2,
      duplicateProbability: 0.5,
      inbound: false,
    });
  });

  it('should name what is wrong with a bad spec', () => {
    expect(() => parseChaosSpec('speed=3')).toThrow(/Unknown chaos setting "speed"/);
    expect(() => parseChaosSpec('delay=soon')).toThrow(/delay needs a number/);
  });
});
