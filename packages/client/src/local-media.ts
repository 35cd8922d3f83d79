import { mediaProblem, type ProblemKind } from './problems';

/*
 * Opening the camera and microphone so that a call still works with whatever exists: both, camera only,
 * microphone only, or nothing (receive-only). Asking for both at once fails as a whole when either is missing or
 * busy, so on failure each is tried alone. A refused permission is not asked again (it would only re-prompt).
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
