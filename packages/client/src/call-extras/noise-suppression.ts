/*
 * Turning the microphone's noise suppression on or off (music, or a voice the filter mangles). Firefox and Safari
 * change it on the live track (applyConstraints); Chromium keeps its audio processing as opened and ignores the
 * change, so there the microphone is opened again with the setting and swapped in on the sender.
 */

/** The part of a MediaStreamTrack used here. */
export interface MicrophoneTrack {
  getConstraints(): MediaTrackConstraints;
  getSettings(): MediaTrackSettings;
  applyConstraints(constraints: MediaTrackConstraints): Promise<void>;
}

/**
 * Sets noise suppression on `track`. Answers the track to use: `track` itself when it took the change, else one
 * `reopen` opened with the constraints asked for (undefined if that failed too).
 */
export async function setNoiseSuppression<T extends MicrophoneTrack>(
  track: T,
  on: boolean,
  reopen: (constraints: MediaTrackConstraints) => Promise<T | undefined>,
): Promise<T | undefined> {
  const constraints = { ...track.getConstraints(), noiseSuppression: on };
  try {
    await track.applyConstraints(constraints);
  } catch {
    // Over-constrained or not changeable live: opening anew below.
  }
  if (track.getSettings().noiseSuppression === on) return track;
  // Required, not preferred: with only a preference Chromium hands back the open microphone as it is.
  const reopened = { ...constraints, noiseSuppression: { exact: on } };
  const deviceId = track.getSettings().deviceId;
  return reopen(deviceId ? { ...reopened, deviceId: { exact: deviceId } } : reopened);
}
