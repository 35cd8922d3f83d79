import type { CallSession } from '../call-session';
import type { LocalMedia } from '../local-media';
import { SHORTCUT_KEYS, type ShortcutAction } from '../shortcuts';
import { CONTROL } from '../ui/call-controls';
import { button, toast } from '../ui/common';
import { h } from '../ui/dom';
import { pathIcon } from '../ui/icons';
import { setVideoSending } from './audio-only';
import { canFlipCamera, listCameras, nextCamera } from './camera-flip';
import { browserAlertOutputs, JoinAlert } from './join-alert';
import { setNoiseSuppression } from './noise-suppression';
import { browserExtrasSupport } from './support';
import { ScreenAwake } from './wake-lock';

/*
 * The call's extra controls, loaded as their own chunk once the call view shows (the initial load has no room for
 * them): camera flip, audio-only, noise suppression, Picture-in-Picture and fullscreen in the control bar, a switch
 * for join notifications in the Devices panel, and, with no control, the screen kept awake and the background join
 * alert. Each control shows only where the browser can do what it offers.
 */

/** Icons of these controls (24×24 strokes, as ui/icons.ts), kept here so they load with them. */
const EXTRA_ICONS = {
  flipCamera: 'M4 8h12l-3-3|M20 16H8l3 3|M8 12h0|M16 12h0',
  audioOnly: 'M3 14v-2a9 9 0 0118 0v2|M3 14h4v6H3z|M17 14h4v6h-4z',
  noiseSuppression: 'M3 12h2|M7 8v8|M11 5v14|M15 9v6|M19 11v2',
  pictureInPicture: 'M3 5h18v14H3z|M12 11h7v6h-7z',
  fullscreen: 'M4 9V4h5|M20 9V4h-5|M4 15v5h5|M20 15v5h-5',
  exitFullscreen: 'M9 4v5H4|M15 4v5h5|M9 20v-5H4|M15 20v-5h5',
} as const;

/** What the call view hands over. */
export interface CallExtrasOptions {
  media: LocalMedia;
  session: CallSession;
  remoteVideo: HTMLVideoElement;
  /** The whole call (what fullscreen shows). */
  call: HTMLElement;
  /** The camera toggle (the flip goes beside it), and the control the others go before (Hang up stays last). */
  camera: HTMLElement;
  before: HTMLElement;
  /** The Devices panel's content. */
  settings: HTMLElement;
  /** Audio-only was turned on or off (the view tells the other side "camera off", hides the offer). */
  onAudioOnly(on: boolean): void;
}

/** The extras, as the call view drives them. */
export interface CallExtras {
  /** The other person (named) joined. */
  peerJoined(name: string): void;
  /** A connection is up (perhaps a new one): modes that live on its senders are applied to it. */
  connected(): void;
  setAudioOnly(on: boolean): Promise<void>;
  dispose(): void;
}

/** A toggle button of the control bar; its name says what pressing it does, `aria-pressed` whether it is on. */
function controlButton(action: ShortcutAction, testId: string, onClick: () => void): HTMLButtonElement {
  // The call view's shortcuts click a control even while it is hidden (unsupported here, or nothing to act on).
  const clicked = () => {
    if (!target.hidden) onClick();
  };
  // Captioned like the view's own controls; showControl() gives it its name, icon and caption.
  const target = button({
    label: '',
    onClick: clicked,
    ...CONTROL,
    testId,
    shortcut: SHORTCUT_KEYS[action],
  });
  target.hidden = true;
  return target;
}

/** Shows a control's state: its accessible name and tooltip (with the shortcut), its icon, and whether it is on. */
function showControl(
  target: HTMLButtonElement,
  action: ShortcutAction,
  state: {
    label: string;
    /** A word or two under the icon on wide screens (the label says it in full, as name and tooltip). */
    caption: string;
    icon: keyof typeof EXTRA_ICONS;
    on?: boolean;
    /** Whether "on" is shown in the accent colour (a mode away from the usual), default when on. */
    accent?: boolean;
  },
): void {
  target.setAttribute('aria-label', state.label);
  target.title = `${state.label} (${SHORTCUT_KEYS[action]})`;
  const icon = pathIcon(EXTRA_ICONS[state.icon]);
  const shown = target.querySelector('svg');
  if (shown) shown.replaceWith(icon);
  else target.prepend(icon);
  const caption = target.querySelector('.caption');
  if (caption) caption.textContent = state.caption;
  if (state.on !== undefined) {
    target.setAttribute('aria-pressed', String(state.on));
    target.classList.toggle('on', state.accent ?? state.on);
  }
}

/** Builds the extra controls into the call view and starts the screen wake lock and the join alert. */
export function startCallExtras(o: CallExtrasOptions): CallExtras {
  const { media, remoteVideo, call } = o;
  const support = browserExtrasSupport();
  let audioOnly = false;
  let noiseSuppression = true;
  let disposed = false;

  const awake = new ScreenAwake(support.wakeLock ? navigator.wakeLock : undefined, document);
  awake.start();
  const joinAlert = new JoinAlert(document, browserAlertOutputs());

  const flip = controlButton('flipCamera', 'flip-camera', () => void flipCamera());
  const audioOnlyButton = controlButton('audioOnly', 'audio-only', () => void setAudioOnly(!audioOnly));
  const noise = controlButton('noiseSuppression', 'noise-suppression', () => void toggleNoiseSuppression());
  const pip = controlButton('pictureInPicture', 'picture-in-picture', () => void togglePictureInPicture());
  const fullscreen = controlButton('fullscreen', 'fullscreen', () => void toggleFullscreen());
  const notifications = h('div', { class: 'field' });
  o.camera.after(flip);
  o.before.before(audioOnlyButton, noise, pip, fullscreen);
  o.settings.append(notifications);

  async function flipCamera(): Promise<void> {
    const settings = media.stream.getVideoTracks()[0]?.getSettings() ?? {};
    const next = nextCamera(await listCameras(), settings);
    if (next) await media.useDevice('video', next);
  }

  async function setAudioOnly(on: boolean): Promise<void> {
    audioOnly = on;
    render();
    o.onAudioOnly(on);
    await applyAudioOnly();
  }

  async function applyAudioOnly(): Promise<void> {
    const pc = o.session.connection;
    if (pc) await setVideoSending(pc.getTransceivers(), !audioOnly).catch(() => false);
  }

  async function toggleNoiseSuppression(): Promise<void> {
    noiseSuppression = !noiseSuppression;
    render();
    await applyNoiseSuppression();
  }

  /** Puts the wanted setting on the microphone (again after a device switch, which opens it with the default). */
  async function applyNoiseSuppression(): Promise<void> {
    const track = media.audioTrack;
    if (!track || track.readyState === 'ended' || track.getSettings().noiseSuppression === noiseSuppression) return;
    const result = await setNoiseSuppression(track, noiseSuppression, async (audio) => {
      try {
        return (await navigator.mediaDevices.getUserMedia({ audio })).getAudioTracks()[0];
      } catch {
        return undefined;
      }
    });
    if (!result) toast('Noise suppression could not be changed on this microphone.');
    else if (result !== track && !disposed) await media.useMicrophoneTrack(result);
    else if (result !== track) result.stop();
  }

  async function togglePictureInPicture(): Promise<void> {
    try {
      if (document.pictureInPictureElement) await document.exitPictureInPicture();
      else await remoteVideo.requestPictureInPicture();
    } catch {
      toast("Picture in picture needs the other person's video.");
    }
  }

  async function toggleFullscreen(): Promise<void> {
    try {
      if (document.fullscreenElement) await document.exitFullscreen();
      else await call.requestFullscreen();
    } catch {
      toast('Full screen is not available here.');
    }
  }

  async function askNotifications(): Promise<void> {
    await Notification.requestPermission().catch(() => undefined);
    render();
  }

  /** Which controls show, and what each says. */
  async function renderCameras(): Promise<void> {
    flip.hidden = !media.cameraLive || !canFlipCamera(await listCameras());
  }

  function render(): void {
    showControl(flip, 'flipCamera', { label: 'Switch camera', caption: 'Flip', icon: 'flipCamera' });
    audioOnlyButton.hidden = !media.cameraLive;
    showControl(audioOnlyButton, 'audioOnly', {
      label: audioOnly ? 'Send video again' : 'Send audio only',
      caption: 'Audio only',
      icon: 'audioOnly',
      on: audioOnly,
    });
    noise.hidden = !support.noiseSuppression || !media.audioTrack;
    showControl(noise, 'noiseSuppression', {
      label: noiseSuppression ? 'Turn noise suppression off' : 'Turn noise suppression on',
      caption: 'Noise filter',
      icon: 'noiseSuppression',
      on: noiseSuppression,
      accent: false, // on is the usual state
    });
    pip.hidden = !support.pictureInPicture;
    const inPicture = document.pictureInPictureElement === remoteVideo;
    showControl(pip, 'pictureInPicture', {
      label: inPicture ? 'Leave picture in picture' : 'Picture in picture',
      caption: 'Mini player',
      icon: 'pictureInPicture',
      on: inPicture,
    });
    fullscreen.hidden = !support.fullscreen;
    const full = document.fullscreenElement === call;
    showControl(fullscreen, 'fullscreen', {
      label: full ? 'Exit full screen' : 'Full screen',
      caption: full ? 'Exit' : 'Full screen',
      icon: full ? 'exitFullscreen' : 'fullscreen',
    });
    renderNotifications();
  }

  /** The Devices panel's line about join notifications: a button to allow them, or what was decided. */
  function renderNotifications(): void {
    if (!support.notifications) return;
    const permission = Notification.permission;
    notifications.replaceChildren(
      permission === 'default'
        ? button({
            label: 'Notify me when they join',
            onClick: () => void askNotifications(),
            testId: 'join-notifications',
          })
        : h(
            'p',
            { class: 'muted', 'data-testid': 'join-notifications' },
            permission === 'granted'
              ? 'You get a notification when they join while Parley is in the background.'
              : 'Notifications are blocked for this site in your browser settings.',
          ),
    );
  }

  const onMediaChange = () => {
    render();
    void renderCameras();
    if (!noiseSuppression) void applyNoiseSuppression();
  };
  const onDeviceChange = () => void renderCameras();
  remoteVideo.addEventListener('enterpictureinpicture', render);
  remoteVideo.addEventListener('leavepictureinpicture', render);
  document.addEventListener('fullscreenchange', render);
  navigator.mediaDevices?.addEventListener('devicechange', onDeviceChange);
  media.addEventListener('change', onMediaChange);
  onMediaChange();

  return {
    peerJoined: (name) => joinAlert.peerJoined(name),
    connected: () => void applyAudioOnly(),
    setAudioOnly,
    dispose() {
      disposed = true;
      void awake.stop();
      joinAlert.dispose();
      remoteVideo.removeEventListener('enterpictureinpicture', render);
      remoteVideo.removeEventListener('leavepictureinpicture', render);
      document.removeEventListener('fullscreenchange', render);
      navigator.mediaDevices?.removeEventListener('devicechange', onDeviceChange);
      media.removeEventListener('change', onMediaChange);
      if (document.pictureInPictureElement === remoteVideo) void document.exitPictureInPicture();
      if (document.fullscreenElement === call) void document.exitFullscreen();
    },
  };
}
