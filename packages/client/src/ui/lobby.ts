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

/** The heading, text and share box of the lobby, for the owner or for a guest. */
function invitationPart(o: LobbyOptions, currentName: () => string | undefined): HTMLElement[] {
  const invitation = o.invitation;
  if (invitation.kind === 'invited') {
    return [
      h('h1', {}, invitation.by ? `${invitation.by} invited you to a call` : 'You are invited to a call'),
      h('p', { class: 'muted' }, 'Check your camera and microphone, then join. Only the two of you are in this call.'),
    ];
  }
  const slot = h('div', {}, shareBox(invitation.link));
  const renew = invitation.renew;
  return [
    h('h1', {}, 'Ready to join?'),
    h('p', { class: 'muted', 'data-testid': 'invitation-note' }, invitation.note),
    slot,
    ...(renew
      ? [
          button({
            label: 'Make a new link',
            onClick: () => void renew(currentName()).then((link) => replace(slot, shareBox(link))),
            testId: 'new-invitation',
          }),
        ]
      : []),
  ];
}

/**
 * Builds the lobby; returns its element, a function that tears down its meter, one to show a problem, and one that
 * enables "Test my connection" with the TURN credentials the server handed the lobby.
 */
export function lobbyView(o: LobbyOptions): {
  element: HTMLElement;
  dispose(): void;
  showProblem(kind: ProblemKind): void;
  offerConnectionTest(grant: TestGrant): void;
} {
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
      class: 'btn primary big',
      'data-testid': 'join',
    },
    'Join',
  );
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
    ...invitationPart(o, () => clampDisplayName(name.value) || undefined),
    h('label', { class: 'field', for: 'name' }, h('span', {}, 'Your name (optional)'), name),
    devicePickers(media),
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
  };
}
