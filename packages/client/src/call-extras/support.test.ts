import { describe, expect, it } from 'vitest';
import { callExtrasSupport, type SupportEnvironment } from './support';

/** A browser with everything, to take parts away from. */
const everything = (): SupportEnvironment => ({
  document: { pictureInPictureEnabled: true, fullscreenEnabled: true },
  navigator: {
    wakeLock: {},
    mediaDevices: { getSupportedConstraints: () => ({ noiseSuppression: true }) },
  },
  videoPrototype: { requestPictureInPicture: () => undefined },
  notification: class {},
});

describe('when the call view asks what this browser can do', () => {
  it('should offer every control in a browser that has every API', () => {
    expect(callExtrasSupport(everything())).toEqual({
      pictureInPicture: true,
      fullscreen: true,
      wakeLock: true,
      noiseSuppression: true,
      notifications: true,
    });
  });

  it('should hide Picture-in-Picture without requestPictureInPicture, or when the document disables it', () => {
    expect(callExtrasSupport({ ...everything(), videoPrototype: {} }).pictureInPicture).toBe(false);
    const disabled = { ...everything(), document: { pictureInPictureEnabled: false, fullscreenEnabled: true } };
    expect(callExtrasSupport(disabled).pictureInPicture).toBe(false);
  });

  it('should hide fullscreen, the wake lock and notifications where their APIs are absent (an iPhone)', () => {
    const iphone: SupportEnvironment = {
      document: { pictureInPictureEnabled: false },
      navigator: { mediaDevices: { getSupportedConstraints: () => ({}) } },
      videoPrototype: {},
      notification: undefined,
    };
    expect(callExtrasSupport(iphone)).toEqual({
      pictureInPicture: false,
      fullscreen: false,
      wakeLock: false,
      noiseSuppression: false,
      notifications: false,
    });
  });

  it('should offer the noise-suppression toggle only where the constraint is supported', () => {
    const without = everything();
    without.navigator.mediaDevices = { getSupportedConstraints: () => ({ noiseSuppression: false }) };
    expect(callExtrasSupport(without).noiseSuppression).toBe(false);
    expect(callExtrasSupport({ ...everything(), navigator: {} }).noiseSuppression).toBe(false);
  });
});
