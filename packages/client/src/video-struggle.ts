import type { CallQuality } from './quality';

/*
 * When the other side's video cannot keep up (a poor or congested link), offer the person an audio-only mode rather
 * than a frozen picture and choppy sound: turning their own camera off frees their uplink for audio, and the other
 * side is offered the same when the video it receives struggles. Decided from the quality readings the call view
 * already gets (every QUALITY_INTERVAL_MS, 2 s).
 */

/** Incoming video below this many frames per second is a slideshow, not a face. */
export const STRUGGLING_FRAMES_PER_SECOND = 5;

/** Readings in a row below that rate before audio-only is offered (5 × 2 s: not for a moment's dip). */
export const STRUGGLING_READINGS = 5;

/** Watches the incoming video's frame rate; says once per call when to offer audio-only. */
export class VideoStruggleWatch {
  #streak = 0;
  #offered = false;

  /**
   * Feeds one quality reading; answers true exactly once, when the peer sends video and it has decoded below
   * {@link STRUGGLING_FRAMES_PER_SECOND} for {@link STRUGGLING_READINGS} readings in a row.
   */
  update(quality: CallQuality, peerSendsVideo: boolean): boolean {
    if (this.#offered) return false;
    const framesPerSecond = quality.video?.framesPerSecond ?? 0;
    this.#streak = peerSendsVideo && framesPerSecond < STRUGGLING_FRAMES_PER_SECOND ? this.#streak + 1 : 0;
    if (this.#streak < STRUGGLING_READINGS) return false;
    this.#offered = true;
    return true;
  }
}
