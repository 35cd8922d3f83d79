import { describe, expect, it } from 'vitest';
import { acquireMedia, constraintsFor, switchCamera } from './local-media';

type FakeStream = { kinds: string[] };

/** A getUserMedia that has the given devices; `busy` ones exist but cannot be opened. */
function devices(present: { audio?: boolean; video?: boolean; busy?: 'audio' | 'video'; denied?: boolean }) {
  const asked: MediaStreamConstraints[] = [];
  const getUserMedia = async (constraints: MediaStreamConstraints): Promise<FakeStream> => {
    asked.push(constraints);
    const fail = (name: string) => Promise.reject(Object.assign(new Error(name), { name }));
    if (present.denied) return fail('NotAllowedError');
    const kinds: string[] = [];
    for (const kind of ['audio', 'video'] as const) {
      if (!constraints[kind]) continue;
      if (!present[kind]) return fail('NotFoundError');
      if (present.busy === kind) return fail('NotReadableError');
      kinds.push(kind);
    }
    return { kinds };
  };
  return { getUserMedia, asked };
}

const both = { audio: { deviceId: undefined }, video: { deviceId: undefined } };

describe('when opening camera and microphone', () => {
  it('should open both in one request when both exist', async () => {
    const fake = devices({ audio: true, video: true });
    const result = await acquireMedia(fake.getUserMedia, both);
    expect(result).toEqual({ streams: [{ kinds: ['audio', 'video'] }] });
    expect(fake.asked).toHaveLength(1);
  });

  it('should fall back to the microphone alone when there is no camera, and say so', async () => {
    const result = await acquireMedia(devices({ audio: true }).getUserMedia, both);
    expect(result).toEqual({ streams: [{ kinds: ['audio'] }], problem: 'no-camera' });
  });

  it('should fall back to the camera alone when there is no microphone, and say so', async () => {
    const result = await acquireMedia(devices({ video: true }).getUserMedia, both);
    expect(result).toEqual({ streams: [{ kinds: ['video'] }], problem: 'no-microphone' });
  });

  it('should join receive-only when there are no devices', async () => {
    const result = await acquireMedia(devices({}).getUserMedia, both);
    expect(result).toEqual({ streams: [], problem: 'no-devices' });
  });

  it('should say the camera is busy, and still open the microphone', async () => {
    const result = await acquireMedia(devices({ audio: true, video: true, busy: 'video' }).getUserMedia, both);
    expect(result).toEqual({ streams: [{ kinds: ['audio'] }], problem: 'device-in-use' });
  });

  it('should not ask again after permission was refused', async () => {
    const fake = devices({ audio: true, video: true, denied: true });
    const result = await acquireMedia(fake.getUserMedia, both);
    expect(result).toEqual({ streams: [], problem: 'permission-denied' });
    expect(fake.asked).toHaveLength(1);
  });

  it('should open nothing when both are switched off', async () => {
    const fake = devices({ audio: true, video: true });
    expect(await acquireMedia(fake.getUserMedia, { audio: false, video: false })).toEqual({ streams: [] });
    expect(fake.asked).toHaveLength(0);
  });

  it('should ask only for the microphone when the camera is switched off', async () => {
    const fake = devices({ audio: true, video: true });
    await acquireMedia(fake.getUserMedia, { audio: { deviceId: undefined }, video: false });
    expect(fake.asked[0]?.video).toBe(false);
  });
});

describe('when a device was chosen before', () => {
  it('should prefer it without failing if it is gone', () => {
    expect(constraintsFor('video', { deviceId: 'cam-2' }).deviceId).toEqual({ ideal: 'cam-2' });
    expect(constraintsFor('audio', { deviceId: undefined }).deviceId).toBeUndefined();
  });
});

/** Cameras by device id; `broken` ones will not open. Records what happened, in order. */
function cameras(broken: string[] = []) {
  const log: string[] = [];
  const track = (deviceId: string) => ({
    stop: () => log.push(`stop ${deviceId}`),
    getSettings: () => ({ deviceId }),
  });
  const open = async (deviceId: string) => {
    log.push(`open ${deviceId}`);
    return broken.includes(deviceId) ? undefined : track(deviceId);
  };
  return { log, open, track };
}

describe('when switching to another camera', () => {
  it('should stop the running camera before opening the other (a phone cannot run two)', async () => {
    const fake = cameras();
    const now = await switchCamera(fake.track('front'), 'back', fake.open);
    expect(now?.getSettings().deviceId).toBe('back');
    expect(fake.log).toEqual(['stop front', 'open back']);
  });

  it('should open the old camera again when the other will not open', async () => {
    const fake = cameras(['back']);
    const now = await switchCamera(fake.track('front'), 'back', fake.open);
    expect(now?.getSettings().deviceId).toBe('front');
    expect(fake.log).toEqual(['stop front', 'open back', 'open front']);
  });

  it('should answer no camera when neither opens, trying each once', async () => {
    const fake = cameras(['front', 'back']);
    expect(await switchCamera(fake.track('front'), 'back', fake.open)).toBeUndefined();
    expect(fake.log).toEqual(['stop front', 'open back', 'open front']);
  });

  it('should just open the camera when none was running', async () => {
    const fake = cameras();
    expect((await switchCamera(undefined, 'back', fake.open))?.getSettings().deviceId).toBe('back');
    expect(fake.log).toEqual(['open back']);
  });
});
