import { canShareScreen } from './browser-support';
import { loadPrefs, savePrefs } from './device-prefs';
import { mediaProblem, type ProblemKind } from './problems';

/*
 * This person's camera, microphone and screen, in one place: how devices are opened (acquireMedia) and the model the
 * views and the call share (LocalMedia).
 *
 * Opening: a call still works with whatever exists: both, camera only, microphone only, or nothing (receive-only).
 * Asking for both at once fails as a whole when either is missing or busy, so on failure each is tried alone. A
 * refused permission is not asked again (it would only re-prompt).
 *
 * The model: `stream` always holds exactly what is sent. The call session adds its tracks to a new peer connection;
 * every camera or microphone change here is pushed to a live one through the `MediaSink` it was given
 * (RTCRtpSender.replaceTrack: no renegotiation); a shared screen goes onto the screen m-line negotiated with the call,
 * beside the camera. Muting disables the microphone track (silence, instantly); turning the camera off stops it, so
 * its light goes out.
 */

/** What to open: false to leave it off, or the preferred device (undefined: the default one). */
export interface MediaRequest {
  audio: false | { deviceId: string | undefined };
  video: false | { deviceId: string | undefined };
}

/** The outcome: the streams that opened (merge their tracks), and what to tell the person about the rest. */
export interface AcquiredMedia<S> {
  streams: S[];
  problem?: ProblemKind;
}

/** Camera resolution asked for: enough for a large tile, light enough for a phone's uplink. */
export const VIDEO_CONSTRAINTS = { width: { ideal: 1280 }, height: { ideal: 720 }, frameRate: { ideal: 30 } };

/** getUserMedia constraints for one kind; a remembered device is a preference, so an unplugged one falls back. */
export function constraintsFor(
  kind: 'audio' | 'video',
  device: { deviceId: string | undefined },
): MediaTrackConstraints {
  const base: MediaTrackConstraints =
    kind === 'video'
      ? { ...VIDEO_CONSTRAINTS }
      : { echoCancellation: true, noiseSuppression: true, autoGainControl: true };
  return device.deviceId ? { ...base, deviceId: { ideal: device.deviceId } } : base;
}

/** What a getUserMedia failure means for the person, by its DOMException name. */
function problemOf(error: unknown): ProblemKind {
  return mediaProblem(String((error as { name?: unknown } | null)?.name ?? 'Error'));
}

/** Opens what was asked for, falling back to each kind alone. Never throws. */
export async function acquireMedia<S>(
  getUserMedia: (constraints: MediaStreamConstraints) => Promise<S>,
  request: MediaRequest,
): Promise<AcquiredMedia<S>> {
  const audio = request.audio && constraintsFor('audio', request.audio);
  const video = request.video && constraintsFor('video', request.video);
  if (!audio && !video) return { streams: [] };
  let problem: ProblemKind;
  try {
    return { streams: [await getUserMedia({ audio, video })] };
  } catch (error) {
    problem = problemOf(error);
  }
  if (problem === 'permission-denied' || !audio || !video) return { streams: [], problem };
  const tryOne = async (constraints: MediaStreamConstraints) => {
    try {
      return { stream: await getUserMedia(constraints) };
    } catch (error) {
      return { error: problemOf(error) };
    }
  };
  const mic = await tryOne({ audio });
  const camera = await tryOne({ video });
  const streams = [mic.stream, camera.stream].filter((s): s is Awaited<S> => s !== undefined) as S[];
  if (camera.error && mic.error) {
    return {
      streams,
      problem: camera.error === 'device-in-use' || mic.error === 'device-in-use' ? 'device-in-use' : problem,
    };
  }
  if (camera.error) return { streams, problem: camera.error === 'no-devices' ? 'no-camera' : camera.error };
  if (mic.error) return { streams, problem: mic.error === 'no-devices' ? 'no-microphone' : mic.error };
  return { streams };
}

/** What a live call does with local media changes (CallSession does both). */
export interface MediaSink {
  /** Puts `track` (null: nothing) on the sender of its kind, live. */
  replaceTrack(kind: 'audio' | 'video', track: MediaStreamTrack | null): Promise<void>;
  /** Starts (a track) or stops (null) sending a shared screen. */
  shareScreen(track: MediaStreamTrack | null): void;
}

/** Local media for one lobby + call. */
export class LocalMedia extends EventTarget {
  readonly stream = new MediaStream();
  micOn = loadPrefs().micOn ?? true;
  cameraOn = loadPrefs().cameraOn ?? true;
  sharing = false;
  problem: ProblemKind | undefined;
  /** Where changes go while a call may be live (see `sendTo`). */
  #sink: MediaSink | undefined;
  #cameraTrack: MediaStreamTrack | undefined;
  #opening: Promise<void> | undefined;
  #screenTrack: MediaStreamTrack | undefined;

  /** Sends every later track change (and a shared screen) to `sink`, the call's session; undefined: to nobody. */
  sendTo(sink: MediaSink | undefined): void {
    this.#sink = sink;
  }

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
    if (kind === 'video') {
      if (this.cameraOn) await this.#switchCamera(deviceId);
      else savePrefs({ video: deviceId });
      return;
    }
    const track = await this.#openTrack(kind, deviceId, true);
    if (!track) return;
    savePrefs({ audio: deviceId });
    await this.useMicrophoneTrack(track);
  }

  /** Moves to another camera, live (see {@link switchCamera}); remembers the one that opened. */
  async #switchCamera(deviceId: string): Promise<void> {
    const track = await switchCamera(this.#cameraTrack, deviceId, (id) => this.#openTrack('video', id, true));
    if (track) savePrefs({ video: track.getSettings().deviceId ?? deviceId });
    else this.cameraOn = false;
    await this.#useCamera(track);
    this.#changed();
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
    if (this.sharing || !canShareScreen()) return;
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
    this.#sink?.shareScreen(track);
    this.#changed();
  }

  async stopScreen(): Promise<void> {
    if (!this.sharing) return;
    this.sharing = false;
    this.#screenTrack?.stop();
    this.#screenTrack = undefined;
    this.#sink?.shareScreen(null);
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
    await this.#sink?.replaceTrack(kind, track ?? null);
  }

  /** Replaces the camera track (stopping the old one), live. */
  async #useCamera(track: MediaStreamTrack | undefined): Promise<void> {
    this.#cameraTrack?.stop();
    this.#cameraTrack = track;
    await this.#swap('video', track);
  }
}

/** A camera track as {@link switchCamera} needs it. */
export interface CameraTrack {
  stop(): void;
  getSettings(): { deviceId?: string };
}

/**
 * Opens camera `deviceId` in place of `running`. Phones cannot open a second camera while one runs (Android answers
 * NotReadableError), so the running one stops first; if the new one will not open, the old one is opened again.
 * Answers the camera now open, or undefined when neither would open.
 */
export async function switchCamera<T extends CameraTrack>(
  running: T | undefined,
  deviceId: string,
  open: (deviceId: string) => Promise<T | undefined>,
): Promise<T | undefined> {
  const previous = running?.getSettings().deviceId;
  running?.stop();
  const track = await open(deviceId);
  if (track || !previous || previous === deviceId) return track;
  return open(previous);
}

/** Lists cameras, microphones and speakers (labels appear once a device permission was granted). */
export async function listDevices(): Promise<MediaDeviceInfo[]> {
  try {
    return (await navigator.mediaDevices?.enumerateDevices()) ?? [];
  } catch {
    return [];
  }
}
