/*
 * The microphone level meter in the lobby: how loud the input is, from an AnalyserNode's time-domain bytes
 * (128 is silence). Speech RMS sits far below full scale, so the level is shown on a square-root curve.
 */

/** The meter falls back by this factor per frame, so it does not flicker between words. */
export const MIC_LEVEL_DECAY = 0.85;

/** Loudness 0–1 of one block of unsigned 8-bit samples. */
export function micLevel(samples: ArrayLike<number>): number {
  if (samples.length === 0) return 0;
  let sum = 0;
  for (let i = 0; i < samples.length; i++) {
    const centered = ((samples[i] as number) - 128) / 128;
    sum += centered * centered;
  }
  return Math.min(1, Math.sqrt(Math.sqrt(sum / samples.length)) * 1.2);
}

/** The level to show: rises at once, falls back slowly. */
export function smoothLevel(shown: number, measured: number): number {
  return Math.max(measured, shown * MIC_LEVEL_DECAY);
}
