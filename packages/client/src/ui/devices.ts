import { canChooseSpeaker } from '../browser-support';
import { loadPrefs, savePrefs } from '../device-prefs';
import { type LocalMedia, listDevices } from '../local-media';
import { h } from './dom';

/* Camera, microphone and speaker pickers, shared by the lobby and the in-call settings panel. */

/** Sends a media element's sound to the chosen speaker, where the browser allows it (not Safari before 18.4). */
export function applySpeaker(element: HTMLMediaElement, deviceId: string | undefined): void {
  if (!canChooseSpeaker() || !deviceId) return;
  void (element as HTMLMediaElement & { setSinkId(id: string): Promise<void> })
    .setSinkId(deviceId)
    .catch(() => undefined);
}

/** The pickers; they refresh when devices are plugged in or out. `speakerTarget` plays the other person. */
export function devicePickers(media: LocalMedia, speakerTarget?: HTMLMediaElement): HTMLElement {
  const container = h('div', { class: 'devices' });
  const picker = (
    label: string,
    kind: MediaDeviceKind,
    current: () => string | undefined,
    choose: (id: string) => void,
  ) => {
    const select = h('select', { 'aria-label': label, onchange: () => choose(select.value) });
    return { kind, current, select, field: h('label', { class: 'field' }, h('span', {}, label), select) };
  };
  const trackDevice = (track: MediaStreamTrack | undefined) => track?.getSettings().deviceId;
  const pickers = [
    picker(
      'Camera',
      'videoinput',
      () => trackDevice(media.stream.getVideoTracks()[0]) ?? loadPrefs().video,
      (id) => void media.useDevice('video', id),
    ),
    picker(
      'Microphone',
      'audioinput',
      () => trackDevice(media.audioTrack) ?? loadPrefs().audio,
      (id) => void media.useDevice('audio', id),
    ),
    // No speaker picker where the speaker cannot be chosen (see browser-support.ts): the system's one plays.
    ...(canChooseSpeaker()
      ? [
          picker(
            'Speaker',
            'audiooutput',
            () => loadPrefs().speaker,
            (id) => {
              savePrefs({ speaker: id });
              if (speakerTarget) applySpeaker(speakerTarget, id);
            },
          ),
        ]
      : []),
  ];
  const refresh = async () => {
    const devices = await listDevices();
    container.replaceChildren();
    for (const p of pickers) {
      const found = devices.filter((d) => d.kind === p.kind && d.deviceId);
      if (found.length === 0) continue;
      p.select.replaceChildren(
        ...found.map((d, i) => h('option', { value: d.deviceId }, d.label || `${p.select.ariaLabel} ${i + 1}`)),
      );
      const current = p.current();
      if (current && found.some((d) => d.deviceId === current)) p.select.value = current;
      container.append(p.field);
    }
  };
  navigator.mediaDevices?.addEventListener('devicechange', () => void refresh());
  media.addEventListener('change', () => void refresh());
  void refresh();
  return container;
}
