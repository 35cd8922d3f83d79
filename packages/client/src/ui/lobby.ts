import { MAX_NAME_LENGTH } from '@parley/protocol';
import { SHORTCUT_KEYS } from '../shortcuts';
import { button, problemNotice, relabel, shareBox } from './common';
import { devicePickers } from './devices';
import { h, replace } from './dom';
import { type LocalMedia, loadPrefs, savePrefs, startLevelMeter } from './media';

/*
 * The lobby: see yourself, check the microphone moves the meter, pick devices, decide muted or not, then Join.
 * Works with whatever devices exist; what is missing is explained, never a dead end.
 */

export interface LobbyOptions {
  link: string;
  media: LocalMedia;
  /** The person chose Join (media is opened by then, as far as it could be). */
  onJoin(name: string | undefined): void;
}

/** Local preview video: muted (no echo, and autoplay is allowed), inline on iOS, mirrored like a mirror. */
export function previewVideo(stream: MediaStream, testId: string): HTMLVideoElement {
  const video = h('video', { class: 'self', playsinline: true, autoplay: true, muted: true, 'data-testid': testId });
  video.muted = true; // the attribute alone is not enough for Safari's autoplay rule
  video.srcObject = stream;
  return video;
}

/** Mic and camera toggles whose names say what pressing them does; returns them and an updater. */
export function mediaToggles(media: LocalMedia, className: string) {
  const mic = button(
    'Mute microphone',
    'mic',
    () => media.setMic(!media.micOn),
    className,
    'toggle-mic',
    SHORTCUT_KEYS.mic,
  );
  const camera = button(
    'Turn camera off',
    'camera',
    () => void media.setCamera(!media.cameraLive),
    className,
    'toggle-camera',
    SHORTCUT_KEYS.camera,
  );
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

/** Builds the lobby; returns its element and a function that tears down its meter. */
export function lobbyView(o: LobbyOptions): { element: HTMLElement; dispose(): void } {
  const { media } = o;
  const opening = media.open();
  const video = previewVideo(media.stream, 'local-preview');
  const placeholder = h('div', { class: 'placeholder' }, 'Camera is off');
  const levelBar = h('div', { class: 'level-bar' });
  const meter = h('div', { class: 'meter', title: 'Microphone level', 'aria-hidden': 'true' }, levelBar);
  const toggles = mediaToggles(media, 'round');
  const notice = h('div', { class: 'notice-slot' });
  const name = h('input', {
    id: 'name',
    class: 'input',
    autocomplete: 'nickname',
    maxlength: MAX_NAME_LENGTH,
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
        const chosen = name.value.trim().slice(0, MAX_NAME_LENGTH);
        savePrefs({ name: chosen });
        void opening.then(() => o.onJoin(chosen || undefined));
      },
    },
    h('h1', {}, 'Ready to join?'),
    h('p', { class: 'muted' }, 'Send this link to the person you want to talk to. The call starts when they open it.'),
    shareBox(o.link),
    h('label', { class: 'field', for: 'name' }, h('span', {}, 'Your name (optional)'), name),
    devicePickers(media),
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
          media.problem !== 'no-devices' && button('Try again', undefined, () => void media.retry()),
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
    ),
    form,
  );
  return {
    element,
    dispose: () => {
      stopMeter?.();
      media.removeEventListener('change', render);
    },
  };
}
