/*
 * What this browser can do, where browsers differ, each checked by the feature itself (never by the user agent).
 * No WebKit with WebRTC runs on the test machines (Debian's WebKitGTK is built without its WebRTC backend), so the
 * Safari/iOS rules the client relies on are written down here and beside the code that honours them:
 * - getDisplayMedia: absent on iOS and iPadOS (and on Android): no screen sharing there (`canShareScreen`).
 * - setSinkId: absent in Safari before 18.4 (and in Firefox before 116, on Android): the speaker is the system's
 *   (`canChooseSpeaker`).
 * - OPFS: Safari has the origin-private file system since 15.2 but createWritable on the page only since 26 (2025):
 *   before, a received file is collected in memory (`canSaveToDisk`, file-sink.ts).
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
  /** FileSystemFileHandle.prototype. */
  fileHandle?: object;
  peerConnection?: unknown;
}

/** This browser's features (none, outside a browser). */
export function currentFeatures(): BrowserFeatures {
  const page = globalThis as typeof globalThis & Partial<Window>;
  return {
    mediaDevices: page.navigator?.mediaDevices,
    mediaElement: page.HTMLMediaElement?.prototype,
    storage: page.navigator?.storage,
    fileHandle: page.FileSystemFileHandle?.prototype,
    peerConnection: page.RTCPeerConnection,
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
 * A received file can be written to disk as it arrives (OPFS with createWritable on the page): not in Safari before
 * 26; where it can, storage may still be refused (Firefox's private windows), and file-sink.ts then falls back too.
 */
export function canSaveToDisk(features = currentFeatures()): boolean {
  return (
    typeof features.storage?.getDirectory === 'function' &&
    !!features.fileHandle &&
    'createWritable' in features.fileHandle
  );
}
