import { describe, expect, it } from 'vitest';
import { canChooseSpeaker, canMakeCalls, canSaveToDisk, canShareScreen, currentFeatures } from './browser-support';

const fn = () => undefined;
/** What a desktop Chrome has, for these checks. */
const chrome = {
  mediaDevices: { getUserMedia: fn, getDisplayMedia: fn },
  mediaElement: { setSinkId: fn },
  storage: { getDirectory: fn },
  peerConnection: class {},
  worker: class {},
};
/** What Safari on an iPhone (iOS 17) has: no getDisplayMedia, no setSinkId; OPFS and workers. */
const iosSafari17 = {
  mediaDevices: { getUserMedia: fn },
  mediaElement: {},
  storage: { getDirectory: fn },
  peerConnection: class {},
  worker: class {},
};

describe('when checking what the browser can do', () => {
  it('should offer everything in a desktop Chrome', () => {
    expect(canMakeCalls(chrome)).toBe(true);
    expect(canShareScreen(chrome)).toBe(true);
    expect(canChooseSpeaker(chrome)).toBe(true);
    expect(canSaveToDisk(chrome)).toBe(true);
  });

  it('should hide screen sharing and the speaker picker, but try saving files to disk, in Safari on iOS 17', () => {
    expect(canMakeCalls(iosSafari17)).toBe(true);
    expect(canShareScreen(iosSafari17)).toBe(false);
    expect(canChooseSpeaker(iosSafari17)).toBe(false);
    expect(canSaveToDisk(iosSafari17)).toBe(true);
  });

  it('should say no to everything where the APIs are missing (no mediaDevices outside a secure page, no WebRTC)', () => {
    expect(canMakeCalls({})).toBe(false);
    expect(canShareScreen({})).toBe(false);
    expect(canChooseSpeaker({})).toBe(false);
    expect(canSaveToDisk({ storage: { getDirectory: fn } })).toBe(false);
    expect(canSaveToDisk({ worker: class {} })).toBe(false);
  });

  it('should not count a property that is there but not a function', () => {
    expect(canShareScreen({ mediaDevices: { getDisplayMedia: undefined } })).toBe(false);
    expect(canMakeCalls({ peerConnection: {} })).toBe(false);
  });

  it('should read the real environment without throwing outside a browser', () => {
    expect(canShareScreen()).toBe(typeof currentFeatures().mediaDevices?.getDisplayMedia === 'function');
    expect(canMakeCalls()).toBe(typeof globalThis.RTCPeerConnection === 'function');
  });
});
