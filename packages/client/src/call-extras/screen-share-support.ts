import type { NavigatorFeatures } from './support';

/*
 * Whether this browser can share a screen, in its own module because the call view needs it in the initial load
 * while the rest of support.ts loads with the extra controls. (The "uxfix" work adds browser-support.ts with the same
 * check; the two are meant to become one.)
 */

/** True where a screen or window can be shared (`getDisplayMedia`: absent on phones and in iOS Safari). */
export function canShareScreen(navigator: NavigatorFeatures = globalThis.navigator): boolean {
  return typeof navigator?.mediaDevices?.getDisplayMedia === 'function';
}
