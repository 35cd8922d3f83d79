/*
 * What this browser can do, where browsers differ, each checked by the feature itself (never by the user agent).
 * No WebKit with WebRTC runs on the test machines (Debian's WebKitGTK is built without its WebRTC backend), so the
 * Safari/iOS rules the client relies on are written down here and beside the code that honours them:
 * - getDisplayMedia: absent on iOS and iPadOS (and on Android): no screen sharing there (`canShareScreen`).
 * - setSinkId: absent in Safari before 18.4 (and in Firefox before 116, on Android): the speaker is the system's
 *   (`canChooseSpeaker`).
 * - OPFS: a received file is written by a worker through a sync access handle (file-writer.worker.ts), which Safari
 *   has in its final form since 16.4 (2023); createWritable on the page, which it lacked until 26, is not used. Where
 *   the worker cannot write, the file is collected in memory (`canSaveToDisk`, file-sink.ts).
 * - playsinline: iOS plays a <video> without it fullscreen (call-view.ts, lobby.ts's previewVideo).
 * - Autoplay: Safari plays sound only after a gesture on the page, or while the page captures camera or microphone;
 *   a person who joined receive-only gets a "Turn on sound" button (call-view.ts). A muted preview may autoplay, but
 *   only with the `muted` property set, not just the attribute (previewVideo). An AudioContext made before a
 *   gesture starts suspended (ui/level-meter.ts resumes it on the first click or key).
 * - H.264: Safari/iOS decode constrained baseline in hardware; our offers keep it (codec-preferences.ts).
 */

/** The parts of the browser these checks read; tests pass their own, the app the real ones (the default). */
export interface BrowserFeatures {
  mediaDevices?: { getDisplayMedia?: unknown; getUserMedia?: unknown };
  /** HTMLMediaElement.prototype. */
  mediaElement?: object;
  storage?: { getDirectory?: unknown };
  peerConnection?: unknown;
  worker?: unknown;
}

/** This browser's features (none, outside a browser). */
export function currentFeatures(): BrowserFeatures {
  const page = globalThis as typeof globalThis & Partial<Window>;
  return {
    mediaDevices: page.navigator?.mediaDevices,
    mediaElement: page.HTMLMediaElement?.prototype,
    storage: page.navigator?.storage,
    peerConnection: page.RTCPeerConnection,
    worker: page.Worker,
  };
}

/** WebRTC exists: calls can be made at all. */
export function canMakeCalls(features = currentFeatures()): boolean {
  return typeof features.peerConnection === 'function';
}

/** A screen or window can be shared (getDisplayMedia): not on iOS, iPadOS or Android. */
export function canShareScreen(features = currentFeatures()): boolean {
  return typeof features.mediaDevices?.getDisplayMedia === 'function';
}

/** The speaker can be chosen (setSinkId): not in Safari before 18.4, nor Firefox before 116, nor on Android. */
export function canChooseSpeaker(features = currentFeatures()): boolean {
  return !!features.mediaElement && 'setSinkId' in features.mediaElement;
}

/**
 * A received file may be written to disk as it arrives: OPFS and workers exist (a worker writes it, through a sync
 * access handle, which a page cannot see). Whether that works is only known once the worker tries: Safari before
 * 16.4 has an earlier draft of the handle, Firefox's private windows refuse storage; file-sink.ts then falls back.
 */
export function canSaveToDisk(features = currentFeatures()): boolean {
  return typeof features.storage?.getDirectory === 'function' && typeof features.worker === 'function';
}
