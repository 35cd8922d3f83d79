/*
 * Single-key shortcuts during a call, as in other call apps. They never fire while the person types (chat box,
 * name field) or holds a modifier, so browser and screen-reader shortcuts keep working.
 */

export type ShortcutAction =
  | 'mic'
  | 'camera'
  | 'screen'
  | 'chat'
  | 'quality'
  | 'flipCamera'
  | 'audioOnly'
  | 'noiseSuppression'
  | 'pictureInPicture'
  | 'fullscreen';

/** Key → action; shown in the controls' tooltips and `aria-keyshortcuts`. */
export const SHORTCUT_KEYS: Record<ShortcutAction, string> = {
  mic: 'M',
  camera: 'V',
  screen: 'S',
  chat: 'C',
  quality: 'Q',
  flipCamera: 'R',
  audioOnly: 'A',
  noiseSuppression: 'N',
  pictureInPicture: 'P',
  fullscreen: 'F',
};

/** The parts of a KeyboardEvent that decide a shortcut. */
export interface KeyPress {
  key: string;
  ctrlKey: boolean;
  metaKey: boolean;
  altKey: boolean;
  repeat: boolean;
  /** True when focus is in something that takes text (input, textarea, select, contenteditable). */
  editing?: boolean;
}

/** The action a key press asks for, or undefined when it is not a shortcut here. */
export function shortcutAction(press: KeyPress): ShortcutAction | undefined {
  if (press.editing || press.ctrlKey || press.metaKey || press.altKey || press.repeat) return undefined;
  const key = press.key.toUpperCase();
  for (const [action, shortcut] of Object.entries(SHORTCUT_KEYS)) if (shortcut === key) return action as ShortcutAction;
  return undefined;
}
