import type { CallTimings } from '../call-timings';
import type { CallQuality } from '../quality';
import { qualityRows } from '../quality-figures';
import { h } from './dom';

/*
 * How the call is doing, for the curious and for whoever debugs a bad call: the path (direct or relayed, UDP or
 * TCP), round trip, bitrates, loss, resolution, setup times, and the verification code. Loaded the first time the
 * panel opens (a lazy chunk); the indicator that opens it is in quality-indicator.ts.
 */

/** The quality panel. */
export class QualityPanel {
  readonly #table = h('dl', { class: 'stats', 'data-testid': 'quality-stats' });
  readonly #code = h('p', { class: 'code', 'data-testid': 'verification-code' }, '…');
  readonly element = h(
    'div',
    { class: 'quality' },
    this.#table,
    h(
      'section',
      { class: 'verify', 'aria-label': 'Verification words' },
      h('h3', {}, 'Verification words'),
      this.#code,
      h(
        'p',
        { class: 'muted' },
        'Read them to each other. If both screens show the same words, the call is end-to-end encrypted between ' +
          'the two of you, and nobody — not even the server — is in the middle.',
      ),
    ),
  );

  constructor() {
    this.update(undefined, undefined, {});
  }

  update(quality: CallQuality | undefined, code: string | undefined, timings: CallTimings): void {
    this.#table.replaceChildren(
      ...qualityRows(quality, timings).flatMap(([label, value]) => [h('dt', {}, label), h('dd', {}, value)]),
    );
    if (code) this.#code.textContent = code;
  }
}
