import { clampDisplayName, MAX_NAME_BYTES } from '@parley/protocol';
import type { TestGrant } from '../connection-test';
import { loadPrefs, savePrefs } from '../device-prefs';
import type { LocalMedia } from '../local-media';
import type { ProblemKind } from '../problems';
import { SHORTCUT_KEYS } from '../shortcuts';
import { type ButtonVariant, button, problemNotice, relabel, shareBox } from './common';
import { devicePickers } from './devices';
import { h, replace } from './dom';
import { startLevelMeter } from './level-meter';

/*
 * The lobby: see yourself, check the microphone moves the meter, pick devices, decide muted or not, then Join.
 * Works with whatever devices exist; what is missing is explained, never a dead end.
 */

/** Where the device pickers start open (styles.css uses the same width for its wide layout). */
const WIDE_SCREEN = '(min-width: 721px)';

/** What the lobby says about the other person: the link to send them, or who sent this one. */
export type LobbyInvitation =
  /** The owner (or anyone, on an open deployment): a link to send, what it allows, and how to make a fresh one. */
  | { kind: 'share'; link: string; note: string; renew?: (name: string | undefined) => Promise<string> }
  /** A guest: who invited them, when the invitation says. */
  | { kind: 'invited'; by: string | undefined };

export interface LobbyOptions {
  invitation: LobbyInvitation;
  media: LocalMedia;
  /** The person chose Join (media is opened by then, as far as it could be). */
  onJoin(name: string | undefined): void;
}

/**
 * Local preview video: muted (no echo, and autoplay is allowed), mirrored like a mirror; `playsinline`, or iOS plays
 * it fullscreen (see browser-support.ts for the Safari/iOS rules).
 */
export function previewVideo(stream: MediaStream, testId: string): HTMLVideoElement {
  const video = h('video', { class: 'self', playsinline: true, autoplay: true, muted: true, 'data-testid': testId });
  video.muted = true; // the attribute alone is not enough for Safari's autoplay rule
  video.srcObject = stream;
  return video;
}

/**
 * Mic and camera toggles whose names say what pressing them does; returns them and an updater. `look`: the lobby's
 * round buttons over the preview, or the call's captioned controls.
 */
export function mediaToggles(media: LocalMedia, look: { className: string; variant: ButtonVariant }) {
  const mic = button({
    label: 'Mute microphone',
    icon: 'mic',
    onClick: () => media.setMic(!media.micOn),
    ...look,
    testId: 'toggle-mic',
    shortcut: SHORTCUT_KEYS.mic,
  });
  const camera = button({
    label: 'Turn camera off',
    icon: 'camera',
    onClick: () => void media.setCamera(!media.cameraLive),
    ...look,
    testId: 'toggle-camera',
    shortcut: SHORTCUT_KEYS.camera,
  });
  const update = () => {
    const micLive = media.micOn && !!media.audioTrack;
    relabel(mic, micLive ? 'Mute microphone' : 'Unmute microphone', micLive ? 'mic' : 'micOff', SHORTCUT_KEYS.mic);
    mic.classList.toggle('off', !micLive);
    const cameraLive = media.cameraLive;
    relabel(
      camera,
      cameraLive ? 'Turn camera off' : 'Turn camera on',
      cameraLive ? 'camera' : 'cameraOff',
      SHORTCUT_KEYS.camera,
    );
    camera.classList.toggle('off', !cameraLive);
  };
  update();
  return { mic, camera, update };
}

/**
 * "Test my connection": a button, disabled until the server has handed this page TURN credentials, and the verdict
 * shown in place. The test and its display load when pressed (ui/connection-test-panel.ts, a lazy chunk).
 * `offer` enables it with the credentials to test with (the latest ones win).
 */
function connectionTestSlot(): { element: HTMLElement; offer(grant: TestGrant): void } {
  let grant: TestGrant | undefined;
  let running = false;
  const result = h('div', {
    class: 'connection-result',
    role: 'status',
    'aria-live': 'polite',
    'data-testid': 'connection-result',
  });
  const start = button({
    label: 'Test my connection',
    testId: 'test-connection',
    onClick: () => {
      if (!grant) return;
      const testing = grant;
      running = true;
      start.disabled = true;
      void import('./connection-test-panel')
        .then(({ showConnectionTest }) => showConnectionTest(testing, result))
        .finally(() => {
          running = false;
          start.disabled = false;
        });
    },
  });
  start.disabled = true;
  return {
    element: h('div', { class: 'connection-test' }, start, result),
    offer: (latest) => {
      grant = latest;
      if (!running) start.disabled = false;
    },
  };
}

/**
 * The heading, text and share box of the lobby, for the owner or for a guest; `someoneWaiting` turns them into who is
 * waiting in the call (there is then nobody to send the link to).
 */
function invitationPart(
  o: LobbyOptions,
  currentName: () => string | undefined,
): { elements: HTMLElement[]; someoneWaiting(name: string | undefined): void } {
  const invitation = o.invitation;
  const heading = h('h1', { 'data-testid': 'lobby-heading' });
  const note = h('p', { class: 'muted', 'data-testid': 'invitation-note' });
  const sharing: HTMLElement[] = [];
  if (invitation.kind === 'invited') {
    heading.textContent = invitation.by ? `${invitation.by} invited you to a call` : 'You are invited to a call';
    note.textContent = 'Check your camera and microphone, then join. Only the two of you are in this call.';
  } else {
    heading.textContent = 'Ready to join?';
    note.textContent = invitation.note;
    const slot = h('div', {}, shareBox(invitation.link));
    sharing.push(slot);
    const renew = invitation.renew;
    if (renew) {
      sharing.push(
        button({
          label: 'Make a new link',
          onClick: () => void renew(currentName()).then((link) => replace(slot, shareBox(link))),
          testId: 'new-invitation',
        }),
      );
    }
  }
  return {
    elements: [heading, note, ...sharing],
    someoneWaiting(name) {
      const who = name || (invitation.kind === 'invited' ? invitation.by : undefined);
      heading.textContent = who ? `${who} is waiting for you` : 'Someone is waiting for you';
      note.textContent = 'Check your camera and microphone, then join: the call starts as soon as you do.';
      for (const element of sharing) element.hidden = true;
    },
  };
}

/** The lobby on screen, and what the app tells it later. */
export interface Lobby {
  element: HTMLElement;
  /** Tears down its level meter. */
  dispose(): void;
  showProblem(kind: ProblemKind): void;
  /** Enables "Test my connection" with the TURN credentials the server handed the lobby. */
  offerConnectionTest(grant: TestGrant): void;
  /** The other person is in the call already, waiting (their display name, if they gave one). */
  someoneWaiting(name: string | undefined): void;
}

/** Builds the lobby. */
export function lobbyView(o: LobbyOptions): Lobby {
  const { media } = o;
  const opening = media.open();
  const video = previewVideo(media.stream, 'local-preview');
  const placeholder = h('div', { class: 'placeholder' }, 'Camera is off');
  const levelBar = h('div', { class: 'level-bar' });
  const meter = h('div', { class: 'meter', title: 'Microphone level', 'aria-hidden': 'true' }, levelBar);
  const toggles = mediaToggles(media, { className: 'round', variant: 'icon' });
  const notice = h('div', { class: 'notice-slot' });
  const accessNotice = h('div', { class: 'notice-slot' });
  const connectionTest = connectionTestSlot();
  const name = h('input', {
    id: 'name',
    class: 'input',
    autocomplete: 'nickname',
    // A generous bound on what can be typed; the name is then cut to what a person sees as 40 characters.
    maxlength: MAX_NAME_BYTES,
    placeholder: 'Guest',
    value: loadPrefs().name ?? '',
  });
  let stopMeter: (() => void) | undefined;
  let meterTrack: MediaStreamTrack | undefined;
  const join = h(
    'button',
    {
      type: 'submit',
      class: 'btn primary big lobby-join',
      'data-testid': 'join',
    },
    'Join',
  );
  const invitation = invitationPart(o, () => clampDisplayName(name.value) || undefined);
  const form = h(
    'form',
    {
      class: 'lobby-side',
      onsubmit: (event: Event) => {
        event.preventDefault();
        join.disabled = true;
        join.textContent = 'Joining…';
        const chosen = clampDisplayName(name.value);
        savePrefs({ name: chosen });
        void opening.then(() => o.onJoin(chosen || undefined));
      },
    },
    ...invitation.elements,
    h('label', { class: 'field', for: 'name' }, h('span', {}, 'Your name (optional)'), name),
    // Folded on a phone, so Join shows without scrolling; open where there is room.
    h(
      'details',
      { class: 'device-choice', open: matchMedia(WIDE_SCREEN).matches },
      h('summary', {}, 'Camera, microphone and speaker'),
      devicePickers(media),
    ),
    accessNotice,
    notice,
    join,
  );
  const render = () => {
    toggles.update();
    placeholder.hidden = media.stream.getVideoTracks().length > 0;
    meter.hidden = !media.audioTrack;
    if (media.audioTrack !== meterTrack) {
      stopMeter?.();
      meterTrack = media.audioTrack;
      stopMeter = meterTrack ? startLevelMeter(meterTrack, levelBar) : undefined;
    }
    replace(
      notice,
      media.problem &&
        problemNotice(
          media.problem,
          media.problem !== 'no-devices' && button({ label: 'Try again', onClick: () => void media.retry() }),
        ),
    );
  };
  media.addEventListener('change', render);
  render();
  const element = h(
    'section',
    { class: 'page lobby', 'aria-label': 'Lobby' },
    h(
      'div',
      { class: 'lobby-preview' },
      h(
        'div',
        { class: 'tile' },
        video,
        placeholder,
        h('div', { class: 'tile-controls' }, toggles.mic, toggles.camera),
      ),
      meter,
      connectionTest.element,
    ),
    form,
  );
  return {
    element,
    dispose: () => {
      stopMeter?.();
      media.removeEventListener('change', render);
    },
    showProblem: (kind) => replace(accessNotice, problemNotice(kind)),
    offerConnectionTest: connectionTest.offer,
    someoneWaiting: invitation.someoneWaiting,
  };
}
