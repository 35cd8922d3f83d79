import { type QualityLevel, qualityLevel } from '../format';
import type { CallQuality } from '../quality';
import { SHORTCUT_KEYS } from '../shortcuts';
import { button } from './common';
import { h } from './dom';

/* The call's quality at a glance, in the top bar: bars and a word; pressing it opens the quality panel. */

const LEVEL_TEXT: Record<QualityLevel, string> = { good: 'Good', fair: 'Fair', poor: 'Poor', unknown: '…' };

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
