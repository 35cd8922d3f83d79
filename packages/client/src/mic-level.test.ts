import { describe, expect, it } from 'vitest';
import { MIC_LEVEL_DECAY, micLevel, smoothLevel } from './mic-level';

describe('when measuring the microphone level', () => {
  it('should read silence as zero', () => {
    expect(micLevel(new Uint8Array(256).fill(128))).toBe(0);
    expect(micLevel(new Uint8Array(0))).toBe(0);
  });

  it('should read a louder signal as a higher level', () => {
    const wave = (amplitude: number) => Uint8Array.from({ length: 256 }, (_, i) => 128 + amplitude * Math.sin(i / 4));
    const quiet = micLevel(wave(4));
    const loud = micLevel(wave(60));
    expect(quiet).toBeGreaterThan(0);
    expect(loud).toBeGreaterThan(quiet);
  });

  it('should never exceed full scale', () => {
    const clipped = Uint8Array.from({ length: 256 }, (_, i) => (i % 2 ? 255 : 0));
    expect(micLevel(clipped)).toBe(1);
  });
});

describe('when smoothing the shown level', () => {
  it('should rise at once', () => {
    expect(smoothLevel(0.1, 0.8)).toBe(0.8);
  });

  it('should fall back gradually', () => {
    expect(smoothLevel(0.8, 0)).toBeCloseTo(0.8 * MIC_LEVEL_DECAY);
  });
});
