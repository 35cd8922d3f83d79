import { describe, expect, it } from 'vitest';
import { type MicrophoneTrack, setNoiseSuppression } from './noise-suppression';

/** A microphone track; `live` says whether it takes a processing change without being opened again. */
function track(noiseSuppression: boolean, live: boolean): MicrophoneTrack & { id: string } {
  let current = noiseSuppression;
  let constraints: MediaTrackConstraints = { echoCancellation: true, noiseSuppression };
  return {
    id: `mic-${noiseSuppression}`,
    getConstraints: () => constraints,
    getSettings: () => ({ deviceId: 'mic', noiseSuppression: current }),
    async applyConstraints(next) {
      constraints = next;
      if (live) current = next.noiseSuppression === true;
    },
  };
}

describe('when the person switches noise suppression', () => {
  it('should change it on the live track where the browser allows (Firefox, Safari)', async () => {
    const mic = track(true, true);
    const opened: MediaTrackConstraints[] = [];
    const result = await setNoiseSuppression(mic, false, async (c) => {
      opened.push(c);
      return undefined;
    });
    expect(result).toBe(mic);
    expect(mic.getSettings().noiseSuppression).toBe(false);
    expect(opened).toEqual([]);
  });

  it('should open the same microphone again with the setting where the live change is ignored (Chromium)', async () => {
    const mic = track(true, false);
    const reopened = track(false, false);
    const opened: MediaTrackConstraints[] = [];
    const result = await setNoiseSuppression(mic, false, async (c) => {
      opened.push(c);
      return reopened;
    });
    expect(result).toBe(reopened);
    expect(opened).toEqual([
      { echoCancellation: true, noiseSuppression: { exact: false }, deviceId: { exact: 'mic' } },
    ]);
  });

  it('should answer nothing when the microphone cannot be opened again', async () => {
    expect(await setNoiseSuppression(track(true, false), false, async () => undefined)).toBeUndefined();
  });
});
