/*
 * Which of the call's extra controls this browser can offer. Each control is hidden where its API is absent, so
 * nobody meets a button that does nothing (no Picture-in-Picture in older Firefox, no Wake Lock before Safari 16.4,
 * no noise-suppression constraint in some engines). Screen sharing is browser-support.ts's `canShareScreen`.
 * The browser objects are passed in, so the decisions are unit-tested with small fakes.
 */

/** The parts of `document` that say what it supports. */
export interface DocumentFeatures {
  pictureInPictureEnabled?: boolean;
  fullscreenEnabled?: boolean;
}

/** The parts of `navigator` that say what it supports. */
export interface NavigatorFeatures {
  wakeLock?: unknown;
  mediaDevices?: {
    getSupportedConstraints?: () => { noiseSuppression?: boolean };
  };
}

/** What the extra controls can do here. */
export interface CallExtrasSupport {
  pictureInPicture: boolean;
  fullscreen: boolean;
  wakeLock: boolean;
  noiseSuppression: boolean;
  /** System notifications exist (whether the person allows them is asked only when they press the button). */
  notifications: boolean;
}

/** The browser's objects that {@link callExtrasSupport} looks at. */
export interface SupportEnvironment {
  document: DocumentFeatures;
  navigator: NavigatorFeatures;
  /** `HTMLVideoElement.prototype` (Picture-in-Picture is a method of video elements). */
  videoPrototype: object;
  /** `window.Notification`, if the browser has one. */
  notification: unknown;
}

/** What the extra controls can do in the given browser. */
export function callExtrasSupport(env: SupportEnvironment): CallExtrasSupport {
  return {
    // Firefox before 130 and iOS Safari on iPhone have no requestPictureInPicture; a policy can also turn it off.
    pictureInPicture: env.document.pictureInPictureEnabled === true && 'requestPictureInPicture' in env.videoPrototype,
    // iOS Safari on iPhone has no element fullscreen (only a video's own native player).
    fullscreen: env.document.fullscreenEnabled === true,
    wakeLock: !!env.navigator.wakeLock,
    noiseSuppression: env.navigator.mediaDevices?.getSupportedConstraints?.().noiseSuppression === true,
    notifications: typeof env.notification === 'function',
  };
}

/** What the extra controls can do in this browser. */
export function browserExtrasSupport(): CallExtrasSupport {
  return callExtrasSupport({
    document,
    navigator,
    videoPrototype: HTMLVideoElement.prototype,
    notification: window.Notification,
  });
}
