import { acquireMedia, constraintsFor } from '../local-media';
import { micLevel, smoothLevel } from '../mic-level';
import type { ProblemKind } from '../problems';

/*
 * This person's camera, microphone and screen. `stream` always holds exactly what is sent: the call session adds
 * its tracks to a new peer connection, and every camera or microphone change here is pushed to a live one through
 * `sendTrack` (RTCRtpSender.replaceTrack: no renegotiation); a shared screen goes through `shareTrack`, onto the
 * screen m-line negotiated with the call, beside the camera. Muting disables the microphone track (silence, instantly);
 * turning the camera off stops it, so its light goes out.
 */

const PREFS_KEY = 'parley.devices';

interface DevicePrefs {
  audio?: string;
  video?: string;
  speaker?: string;
  micOn?: boolean;
  cameraOn?: boolean;
  name?: string;
}

/** Saved choices (devices, toggles, name) so the next call starts the same way. */
export function loadPrefs(): DevicePrefs {
  try {
    return JSON.parse(localStorage.getItem(PREFS_KEY) ?? '{}') as DevicePrefs;
  } catch {
    return {};
  }
}

export function savePrefs(change: DevicePrefs): void {
  try {
    localStorage.setItem(PREFS_KEY, JSON.stringify({ ...loadPrefs(), ...change }));
  } catch {
    // Private mode without storage: choices are simply not remembered.
  }
}

/** Local media for one lobby + call. */
export class LocalMedia extends EventTarget {
  readonly stream = new MediaStream();
  micOn = loadPrefs().micOn ?? true;
  cameraOn = loadPrefs().cameraOn ?? true;
  sharing = false;
  problem: ProblemKind | undefined;
  /** Starts (a track) or stops (null) sending a shared screen in the live call, if any. */
  shareTrack: (track: MediaStreamTrack | null) => void = () => undefined;
  /** Pushes a track change to the live call, if any. */
  sendTrack: (kind: 'audio' | 'video', track: MediaStreamTrack | null) => Promise<void> = async () => undefined;
  #cameraTrack: MediaStreamTrack | undefined;
  #opening: Promise<void> | undefined;
  #screenTrack: MediaStreamTrack | undefined;

  get audioTrack(): MediaStreamTrack | undefined {
    return this.stream.getAudioTracks()[0];
  }

  /** The camera is on and running (not just wanted: it may be missing or blocked). */
  get cameraLive(): boolean {
    return this.cameraOn && !!this.#cameraTrack;
  }

  /** What the other side should show: microphone live, any video, a screen. */
  get state(): { audio: boolean; video: boolean; screen: boolean } {
    return {
      audio: this.micOn && !!this.audioTrack,
      video: this.stream.getVideoTracks().length > 0,
      screen: this.sharing,
    };
  }

  /** Opens camera and microphone as the saved toggles say (always the microphone: muting it is instant); once. */
  open(): Promise<void> {
    this.#opening ??= this.#open();
    return this.#opening;
  }

  async #open(): Promise<void> {
    if (!navigator.mediaDevices?.getUserMedia) {
      this.problem = window.isSecureContext ? 'no-devices' : 'insecure-page';
      this.#changed();
      return;
    }
    const prefs = loadPrefs();
    const result = await acquireMedia((c) => navigator.mediaDevices.getUserMedia(c), {
      audio: { deviceId: prefs.audio },
      video: this.cameraOn && { deviceId: prefs.video },
    });
    this.problem = result.problem;
    for (const stream of result.streams) for (const track of stream.getTracks()) this.#put(track.kind, track);
    const audio = this.audioTrack;
    if (audio) audio.enabled = this.micOn;
    this.#cameraTrack = this.stream.getVideoTracks()[0];
    if (!this.#cameraTrack && !result.problem) this.cameraOn = false;
    this.#changed();
  }

  /** Tries again after a problem (permission granted now, other app closed). */
  async retry(): Promise<void> {
    this.stopTracks();
    this.cameraOn = true;
    this.#opening = undefined;
    await this.open();
  }

  setMic(on: boolean): void {
    this.micOn = on;
    const audio = this.audioTrack;
    if (audio) audio.enabled = on;
    savePrefs({ micOn: on });
    this.#changed();
  }

  async setCamera(on: boolean): Promise<void> {
    this.cameraOn = on;
    savePrefs({ cameraOn: on });
    if (!on) await this.#useCamera(undefined);
    else if (!this.#cameraTrack) {
      const track = await this.#openTrack('video', loadPrefs().video, false);
      if (track) await this.#useCamera(track);
      else this.cameraOn = false;
    }
    this.#changed();
  }

  /** Switches to another camera or microphone, live. */
  async useDevice(kind: 'audio' | 'video', deviceId: string): Promise<void> {
    savePrefs({ [kind]: deviceId });
    if (kind === 'video' && !this.cameraOn) return;
    const track = await this.#openTrack(kind, deviceId, true);
    if (!track) return;
    if (kind === 'audio') await this.useMicrophoneTrack(track);
    else {
      await this.#useCamera(track);
      this.#changed();
    }
  }

  /** Makes `track` (a microphone opened elsewhere, e.g. with other processing) the one sent, live; stops the old one. */
  async useMicrophoneTrack(track: MediaStreamTrack): Promise<void> {
    track.enabled = this.micOn;
    const old = this.audioTrack;
    await this.#swap('audio', track);
    if (old !== track) old?.stop();
    this.#changed();
  }

  /** Shares a screen or window beside the camera (its own track: the other side shows it large). */
  async startScreen(): Promise<void> {
    if (this.sharing || !navigator.mediaDevices?.getDisplayMedia) return;
    let stream: MediaStream;
    try {
      stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    } catch {
      return; // the person closed the picker
    }
    const track = stream.getVideoTracks()[0];
    if (!track) return;
    track.contentHint = 'detail';
    this.#screenTrack = track;
    this.sharing = true;
    // The browser's own "Stop sharing" bar ends the track.
    track.addEventListener('ended', () => void this.stopScreen());
    this.shareTrack(track);
    this.#changed();
  }

  async stopScreen(): Promise<void> {
    if (!this.sharing) return;
    this.sharing = false;
    this.#screenTrack?.stop();
    this.#screenTrack = undefined;
    this.shareTrack(null);
    this.#changed();
  }

  /** Releases every device (hang up, leaving the page). */
  stopTracks(): void {
    for (const track of this.stream.getTracks()) {
      track.stop();
      this.stream.removeTrack(track);
    }
    this.#cameraTrack?.stop();
    this.#screenTrack?.stop();
    this.#cameraTrack = undefined;
    this.#screenTrack = undefined;
    this.sharing = false;
  }

  /** Tells listeners (views) after every change of toggles, devices or problems. */
  #changed(): void {
    this.dispatchEvent(new Event('change'));
  }

  async #openTrack(kind: 'audio' | 'video', deviceId: string | undefined, exact: boolean) {
    const constraints = constraintsFor(kind, { deviceId });
    if (exact && deviceId) constraints.deviceId = { exact: deviceId };
    try {
      const stream = await navigator.mediaDevices.getUserMedia({ [kind]: constraints });
      return stream.getTracks()[0];
    } catch {
      return undefined;
    }
  }

  /** Makes `track` (or nothing) the stream's one track of its kind. */
  #put(kind: string, track: MediaStreamTrack | undefined): void {
    for (const old of this.stream.getTracks()) if (old.kind === kind) this.stream.removeTrack(old);
    if (track) this.stream.addTrack(track);
  }

  async #swap(kind: 'audio' | 'video', track: MediaStreamTrack | undefined): Promise<void> {
    this.#put(kind, track);
    await this.sendTrack(kind, track ?? null);
  }

  /** Replaces the camera track (stopping the old one), live. */
  async #useCamera(track: MediaStreamTrack | undefined): Promise<void> {
    this.#cameraTrack?.stop();
    this.#cameraTrack = track;
    await this.#swap('video', track);
  }
}

/** Lists cameras, microphones and speakers (labels appear once a device permission was granted). */
export async function listDevices(): Promise<MediaDeviceInfo[]> {
  try {
    return (await navigator.mediaDevices?.enumerateDevices()) ?? [];
  } catch {
    return [];
  }
}

/** True where audio output can be chosen (`setSinkId`; not in Firefox by default, not in Safari). */
export const canPickSpeaker = typeof HTMLMediaElement !== 'undefined' && 'setSinkId' in HTMLMediaElement.prototype;

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
  // An AudioContext made before any click starts suspended; the first click or key anywhere resumes it.
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
