/*
 * When the other person joins while this tab is in the background (the caller went to another tab to wait), tell
 * them: a mark in the tab's title, a short tone, and a system notification if they chose to allow one. The title goes
 * back as soon as the tab is seen again. Notification permission is asked only when the person presses the button
 * for it, never on its own: an unprompted request is noise that browsers penalise (Chrome's quieter prompts).
 */

/** The marker put before the title, visible in a crowded tab strip. */
export const JOIN_TITLE_MARK = '●';

/** The joining tone: a short high beep, loud enough to notice, gentle enough not to startle. */
export const JOIN_TONE = { frequencyHz: 880, durationSeconds: 0.18, peakGain: 0.2 } as const;

/** The part of `document` the alert uses. */
export interface AlertPage {
  readonly hidden: boolean;
  title: string;
  addEventListener(type: 'visibilitychange', listener: () => void): void;
  removeEventListener(type: 'visibilitychange', listener: () => void): void;
}

/** How the alert makes itself heard and seen beyond the page. */
export interface AlertOutputs {
  playTone(): void;
  /** True when the person allowed system notifications (permission granted). */
  notificationsAllowed(): boolean;
  notify(title: string, body: string): void;
}

/** The title shown while the person has not yet seen that `name` joined. */
export function joinedTitle(name: string, title: string): string {
  return `${JOIN_TITLE_MARK} ${name} joined — ${title}`;
}

/** Alerts a person whose tab is in the background that the other person joined. */
export class JoinAlert {
  /** The page's own title, while ours is shown instead. */
  #savedTitle: string | undefined;
  readonly #onVisibility = () => {
    if (!this.page.hidden) this.#restoreTitle();
  };

  constructor(
    private readonly page: AlertPage,
    private readonly outputs: AlertOutputs,
  ) {
    page.addEventListener('visibilitychange', this.#onVisibility);
  }

  /** The other person (`name`) joined: alert if the tab is in the background, else the page shows it already. */
  peerJoined(name: string): void {
    if (!this.page.hidden) return;
    this.#savedTitle ??= this.page.title;
    this.page.title = joinedTitle(name, this.#savedTitle);
    this.outputs.playTone();
    if (this.outputs.notificationsAllowed()) this.outputs.notify(`${name} joined your call`, 'Parley');
  }

  /** Stops alerting, and puts the title back. */
  dispose(): void {
    this.page.removeEventListener('visibilitychange', this.#onVisibility);
    this.#restoreTitle();
  }

  #restoreTitle(): void {
    if (this.#savedTitle === undefined) return;
    this.page.title = this.#savedTitle;
    this.#savedTitle = undefined;
  }
}

/** The browser's outputs: a WebAudio beep (no sound file to load) and the Notification API. */
export function browserAlertOutputs(): AlertOutputs {
  return {
    playTone() {
      if (!window.AudioContext) return;
      const context = new AudioContext();
      const oscillator = context.createOscillator();
      const gain = context.createGain();
      oscillator.frequency.value = JOIN_TONE.frequencyHz;
      const start = context.currentTime;
      const end = start + JOIN_TONE.durationSeconds;
      // A quick fade in and out: a square start or stop of a sine clicks.
      gain.gain.setValueAtTime(0, start);
      gain.gain.linearRampToValueAtTime(JOIN_TONE.peakGain, start + 0.02);
      gain.gain.linearRampToValueAtTime(0, end);
      oscillator.connect(gain).connect(context.destination);
      oscillator.onended = () => void context.close();
      oscillator.start(start);
      oscillator.stop(end);
    },
    notificationsAllowed: () => typeof Notification === 'function' && Notification.permission === 'granted',
    notify(title, body) {
      const notification = new Notification(title, { body, tag: 'parley-join' });
      notification.onclick = () => {
        window.focus();
        notification.close();
      };
    },
  };
}
