/*
 * This browser's saved choices for calls: devices, whether microphone and camera start on, the name to show. Kept in
 * localStorage, so the next call starts the way the last one ended; without storage (private mode) nothing is kept.
 */

const PREFS_KEY = 'parley.devices';

export interface DevicePrefs {
  audio?: string;
  video?: string;
  speaker?: string;
  micOn?: boolean;
  cameraOn?: boolean;
  name?: string;
}

/** Saved choices (devices, toggles, name) so the next call starts the same way. */
export function loadPrefs(): DevicePrefs {
  try {
    return JSON.parse(localStorage.getItem(PREFS_KEY) ?? '{}') as DevicePrefs;
  } catch {
    return {};
  }
}

/** Saves `change` over the saved choices. */
export function savePrefs(change: DevicePrefs): void {
  try {
    localStorage.setItem(PREFS_KEY, JSON.stringify({ ...loadPrefs(), ...change }));
  } catch {
    // Private mode without storage: choices are simply not remembered.
  }
}
