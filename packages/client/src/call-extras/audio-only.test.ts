import { describe, expect, it } from 'vitest';
import { cameraSender, type SenderLike, setVideoSending, type TransceiverLike } from './audio-only';

/** A sender that keeps its parameters as a browser does, and counts the changes made. */
function sender(encodings: RTCRtpEncodingParameters[]): SenderLike & { changes: number; params: RTCRtpSendParameters } {
  const fake = {
    changes: 0,
    params: { encodings, transactionId: 't', codecs: [], headerExtensions: [], rtcp: {} } as RTCRtpSendParameters,
    getParameters: () => structuredClone(fake.params),
    async setParameters(parameters: RTCRtpSendParameters) {
      fake.changes += 1;
      fake.params = parameters;
    },
  };
  return fake;
}

const transceiver = (kind: string, s: SenderLike, currentDirection: RTCRtpTransceiverDirection | null = 'sendrecv') =>
  ({ currentDirection, receiver: { track: { kind } }, sender: s }) satisfies TransceiverLike;

describe('when audio-only mode is switched', () => {
  it('should make the camera encodings inactive, and active again', async () => {
    const camera = sender([{ active: true }]);
    const screen = sender([{ active: true }]);
    const call = [
      transceiver('audio', sender([{ active: true }])),
      transceiver('video', camera),
      transceiver('video', screen),
    ];
    expect(await setVideoSending(call, false)).toBe(true);
    expect(camera.params.encodings).toEqual([{ active: false }]);
    expect(screen.params.encodings).toEqual([{ active: true }]); // a shared screen is not the camera
    expect(await setVideoSending(call, true)).toBe(true);
    expect(camera.params.encodings).toEqual([{ active: true }]);
  });

  it('should not touch a sender that is already as asked', async () => {
    const camera = sender([{ active: true }]);
    expect(await setVideoSending([transceiver('video', camera)], true)).toBe(true);
    expect(camera.changes).toBe(0);
  });

  it('should say when there is nothing to change yet (not negotiated, or no camera line)', async () => {
    expect(await setVideoSending([transceiver('video', sender([]))], false)).toBe(false);
    expect(await setVideoSending([transceiver('audio', sender([{ active: true }]))], false)).toBe(false);
  });

  it('should skip stopped transceivers when finding the camera', () => {
    const stopped = sender([{ active: true }]);
    const live = sender([{ active: true }]);
    expect(cameraSender([transceiver('video', stopped, 'stopped'), transceiver('video', live)])).toBe(live);
  });
});
