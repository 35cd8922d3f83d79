import type { CallStatus } from '../call-session';
import { callStatusText } from '../format';
import { shareBox } from './common';
import { h, replace } from './dom';

/*
 * The card over the stage while there is nobody to see: the status as its heading, what happens next, and the link
 * to send while waiting (for whoever has one: the owner, anyone on an open deployment; never a guest).
 */

/** The overlay's text for each status that shows it (below the status itself), for whoever has a link to share. */
const OVERLAY_TEXTS: Partial<Record<CallStatus, string>> = {
  joining: 'Getting your seat in the call.',
  waiting: 'Send them this link. The call starts by itself as soon as they open it.',
  connecting: 'Finding the best path between you.',
  'peer-left': 'The room stays open: they can come back with the same link.',
};

/** …and for a guest, who has no link to share: the person who invited them comes (back) by themselves. */
const GUEST_OVERLAY_TEXTS: Partial<Record<CallStatus, string>> = {
  ...OVERLAY_TEXTS,
  waiting: 'The call starts by itself as soon as they are here.',
  'peer-left': 'Stay here: the call starts again by itself if they come back.',
};

/** The overlay of the call's stage. */
export class CallOverlay {
  readonly element = h('div', { class: 'overlay', 'data-testid': 'call-overlay' });

  /** `link`: the link to share while waiting, if this person has one. */
  constructor(private readonly link: string | undefined) {}

  /** Shows the card for `status` (none where the other person is on screen). */
  update(status: CallStatus, peerHere: boolean, peerName: string): void {
    const shown = status === 'reconnecting' && !peerHere ? 'waiting' : status;
    const text = (this.link ? OVERLAY_TEXTS : GUEST_OVERLAY_TEXTS)[shown];
    const key = text ? `${status}|${peerName}` : '';
    if (this.element.dataset.key === key) return; // keep focus and selection in the share box
    this.element.dataset.key = key;
    replace(
      this.element,
      text &&
        h(
          'div',
          { class: 'overlay-card' },
          h('h2', {}, callStatusText(shown, peerName)),
          h('p', {}, text),
          (shown === 'waiting' || shown === 'peer-left') && this.link !== undefined && shareBox(this.link),
        ),
    );
    this.element.hidden = !text;
  }
}
