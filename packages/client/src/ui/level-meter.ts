import { micLevel, smoothLevel } from '../mic-level';

/* The lobby's microphone level bar, so a person sees that the microphone hears them before joining. */

/** Drives a level bar from a microphone track; returns a function that stops it. */
export function startLevelMeter(track: MediaStreamTrack, bar: HTMLElement): () => void {
  // Every browser that runs this ES2022 bundle has the unprefixed AudioContext, unless Web Audio is turned off.
  if (!window.AudioContext) return () => undefined;
  const context = new AudioContext();
  const analyser = context.createAnalyser();
  analyser.fftSize = 512;
  context.createMediaStreamSource(new MediaStream([track])).connect(analyser);
  const samples = new Uint8Array(analyser.fftSize);
  let shown = 0;
  let frame = 0;
  // An AudioContext made before any click starts suspended (Safari, Chrome); the first click or key resumes it.
  const resume = () => void context.resume();
  document.addEventListener('pointerdown', resume, { once: true });
  document.addEventListener('keydown', resume, { once: true });
  resume();
  const tick = () => {
    analyser.getByteTimeDomainData(samples);
    shown = smoothLevel(shown, track.enabled ? micLevel(samples) : 0);
    // CSSOM, not a style attribute: allowed by the strict CSP.
    bar.style.transform = `scaleX(${shown.toFixed(3)})`;
    frame = requestAnimationFrame(tick);
  };
  tick();
  return () => {
    cancelAnimationFrame(frame);
    document.removeEventListener('pointerdown', resume);
    document.removeEventListener('keydown', resume);
    void context.close();
  };
}
