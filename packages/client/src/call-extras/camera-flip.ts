/*
 * One tap between the front and back cameras (or, on a computer with several, to the next one). The switch goes
 * through LocalMedia.useDevice, which swaps the track on the live sender (replaceTrack: no renegotiation).
 */

/** A camera as enumerateDevices lists it, with the directions it faces where the browser says (Chromium). */
export interface CameraChoice {
  deviceId: string;
  /** `InputDeviceInfo.getCapabilities().facingMode`: e.g. ['user'] or ['environment']; empty or absent if unknown. */
  facingMode?: readonly string[];
}

/** The camera in use: its device and the way it faces, from the track's settings. */
export interface CurrentCamera {
  deviceId?: string;
  facingMode?: string;
}

/** True when there is another camera to flip to. */
export function canFlipCamera(cameras: readonly CameraChoice[]): boolean {
  return cameras.length > 1;
}

/**
 * The camera to flip to: one facing the other way when the directions are known (a phone's several back lenses then
 * count as one "back"), else the next camera in the list, round.
 */
export function nextCamera(cameras: readonly CameraChoice[], current: CurrentCamera): string | undefined {
  if (!canFlipCamera(cameras)) return undefined;
  const facing = current.facingMode ?? cameras.find((c) => c.deviceId === current.deviceId)?.facingMode?.[0];
  if (facing === 'user' || facing === 'environment') {
    const other = facing === 'user' ? 'environment' : 'user';
    const opposite = cameras.find((c) => c.facingMode?.includes(other));
    if (opposite) return opposite.deviceId;
  }
  const index = cameras.findIndex((c) => c.deviceId === current.deviceId);
  return cameras[(index + 1) % cameras.length]?.deviceId;
}

/** The cameras of this device, with the directions they face where the browser says. */
export async function listCameras(): Promise<CameraChoice[]> {
  let devices: MediaDeviceInfo[];
  try {
    devices = (await navigator.mediaDevices?.enumerateDevices()) ?? [];
  } catch {
    return [];
  }
  return devices
    .filter((device) => device.kind === 'videoinput' && device.deviceId)
    .map((device) => {
      const capabilities = (device as InputDeviceInfo).getCapabilities?.() as { facingMode?: string[] } | undefined;
      return { deviceId: device.deviceId, facingMode: capabilities?.facingMode };
    });
}
