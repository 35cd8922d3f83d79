import { canShareScreen } from '../browser-support';
import type { LocalMedia } from '../local-media';
import { SHORTCUT_KEYS } from '../shortcuts';
import { button, relabel } from './common';
import { h } from './dom';
import { mediaToggles } from './lobby';

/*
 * The call's control bar: microphone, camera, screen sharing, chat (with its unread badge), send file, devices,
 * debug (with `?debug`) and hang up. Each is an icon with a caption that wide screens show; its label is its name
 * and tooltip, with its shortcut. The extra controls (call-extras/) are added to this bar once their chunk loads.
 */

/** The call's controls: an icon with a caption (shown on wide screens), the label their name and tooltip. */
export const CONTROL = { className: 'ctl', variant: 'captioned' } as const;

/** What the controls do; the view decides. */
export interface CallControlActions {
  toggleChat(): void;
  toggleDevices(): void;
  /** Absent without `?debug`: no Debug control then. */
  toggleDebug: (() => void) | undefined;
  sendFiles(files: FileList | null): void;
  hangUp(): void;
}

/** The bar and the controls the view (and the side panels) refer to. */
export interface CallControls {
  element: HTMLElement;
  camera: HTMLButtonElement;
  chat: HTMLButtonElement;
  devices: HTMLButtonElement;
  debug: HTMLButtonElement | undefined;
  hangUp: HTMLButtonElement;
  /** Shows what is sent (microphone, camera, sharing). */
  update(): void;
  /** Shows the chat's unread count on its control. */
  showUnread(count: number): void;
}

/** Builds the control bar for `media`. */
export function callControls(media: LocalMedia, actions: CallControlActions): CallControls {
  const toggles = mediaToggles(media, CONTROL);
  const screen = button({
    label: 'Share screen',
    icon: 'screen',
    onClick: () => void (media.sharing ? media.stopScreen() : media.startScreen()),
    ...CONTROL,
    testId: 'share-screen',
    shortcut: SHORTCUT_KEYS.screen,
  });
  const badge = h('span', { class: 'badge', 'aria-hidden': 'true', 'data-testid': 'unread-badge' });
  badge.hidden = true;
  const chat = button({
    label: 'Chat',
    icon: 'chat',
    onClick: actions.toggleChat,
    ...CONTROL,
    testId: 'chat-toggle',
    shortcut: SHORTCUT_KEYS.chat,
  });
  chat.append(badge);
  const fileInput = h('input', {
    type: 'file',
    multiple: true,
    hidden: true,
    tabindex: -1,
    'aria-hidden': 'true',
    'data-testid': 'file-input',
    onchange: () => {
      actions.sendFiles(fileInput.files);
      fileInput.value = '';
    },
  });
  const sendFile = button({
    label: 'Send file',
    icon: 'file',
    onClick: () => fileInput.click(),
    ...CONTROL,
    testId: 'send-file',
  });
  const devices = button({ label: 'Devices', icon: 'settings', onClick: actions.toggleDevices, ...CONTROL });
  const debug =
    actions.toggleDebug && button({ label: 'Debug', icon: 'quality', onClick: actions.toggleDebug, ...CONTROL });
  const hangUp = button({
    label: 'Hang up',
    icon: 'hangUp',
    onClick: actions.hangUp,
    ...CONTROL,
    className: 'ctl danger',
    testId: 'hang-up',
  });
  const element = h(
    'nav',
    { class: 'controls', 'aria-label': 'Call controls' },
    toggles.mic,
    toggles.camera,
    // No getDisplayMedia on iOS, iPadOS and Android: no Share screen control there.
    canShareScreen() && screen,
    chat,
    sendFile,
    devices,
    debug,
    hangUp,
    fileInput,
  );
  return {
    element,
    camera: toggles.camera,
    chat,
    devices,
    debug,
    hangUp,
    update() {
      toggles.update();
      relabel(screen, media.sharing ? 'Stop sharing' : 'Share screen', 'screen', SHORTCUT_KEYS.screen);
      screen.classList.toggle('on', media.sharing);
    },
    showUnread(count) {
      badge.hidden = count === 0;
      badge.textContent = count > 9 ? '9+' : String(count);
      const name = `Chat (${SHORTCUT_KEYS.chat})`;
      chat.title = count > 0 ? `${name} · ${count} unread` : name;
    },
  };
}
