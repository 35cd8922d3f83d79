import { describe, expect, it } from 'vitest';
import type { CallQuality } from './quality';
import { STRUGGLING_READINGS, VideoStruggleWatch } from './video-struggle';

const counters = { timestamp: 0, bytesSent: 0, bytesReceived: 0, packetsReceived: 0, packetsLost: 0 };
const reading = (framesPerSecond: number | undefined): CallQuality => ({
  counters,
  ...(framesPerSecond === undefined ? {} : { video: { width: 640, height: 480, framesPerSecond } }),
});

describe('VideoStruggleWatch', () => {
  it('should offer audio-only once, after the incoming video stayed below the rate for long enough', () => {
    const watch = new VideoStruggleWatch();
    const answers = Array.from({ length: STRUGGLING_READINGS + 3 }, () => watch.update(reading(2), true));
    expect(answers.filter(Boolean)).toHaveLength(1);
    expect(answers[STRUGGLING_READINGS - 1]).toBe(true);
  });

  it('should count frozen video (no frame rate reported) as struggling', () => {
    const watch = new VideoStruggleWatch();
    const answers = Array.from({ length: STRUGGLING_READINGS }, () => watch.update(reading(undefined), true));
    expect(answers.at(-1)).toBe(true);
  });

  it('should not offer it for a short dip, for smooth video, or when the peer sends no video', () => {
    const watch = new VideoStruggleWatch();
    for (let i = 0; i < STRUGGLING_READINGS * 3; i++) {
      const dip = i % STRUGGLING_READINGS !== 0;
      expect(watch.update(reading(dip ? 1 : 25), true)).toBe(false);
    }
    for (let i = 0; i < STRUGGLING_READINGS * 2; i++) expect(watch.update(reading(0), false)).toBe(false);
  });
});
