import { type CallTimings, type QualityLevel, qualityLevel, qualityRows } from '../format';
import type { CallQuality } from '../quality';
import { SHORTCUT_KEYS } from '../shortcuts';
import { button } from './common';
import { h } from './dom';

/*
 * How the call is doing, for the curious and for whoever debugs a bad call: the path (direct or relayed, UDP or
 * TCP), round trip, bitrates, loss, resolution, setup times, and the verification code.
 */

const LEVEL_TEXT: Record<QualityLevel, string> = { good: 'Good', fair: 'Fair', poor: 'Poor', unknown: '…' };

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

/** The always-visible indicator: bars plus a word; opens the panel. */
export function qualityIndicator(onClick: () => void): {
  element: HTMLButtonElement;
  update(quality?: CallQuality): void;
} {
  const word = h('span', { id: 'quality-word', class: 'quality-word' }, LEVEL_TEXT.unknown);
  const bars = h('span', { class: 'bars', 'aria-hidden': 'true' }, h('i', {}), h('i', {}), h('i', {}), h('i', {}));
  const element = button({
    label: 'Call quality',
    onClick,
    // Its bars and word (below) show what it is; the label is its accessible name.
    variant: 'icon',
    className: 'indicator',
    testId: 'quality-indicator',
    shortcut: SHORTCUT_KEYS.quality,
  });
  element.setAttribute('aria-describedby', 'quality-word');
  element.dataset.level = 'unknown';
  element.append(bars, word);
  return {
    element,
    update(quality) {
      const level = qualityLevel(quality);
      element.dataset.level = level;
      word.textContent = quality?.path
        ? `${LEVEL_TEXT[level]} · ${quality.path.relayed ? 'relayed' : 'direct'}`
        : LEVEL_TEXT[level];
    },
  };
}
