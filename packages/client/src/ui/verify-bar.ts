import { button, toast } from './common';
import { h } from './dom';

/*
 * The verification words, shown in the call without opening any panel until the person has compared them: "Compare
 * these words with Ada", then "They match" (the bar goes away; the words stay in the quality panel) or "They don't
 * match" (the call ends with a warning). New words (another connection) ask again.
 */

/** The bar under the call's top bar. */
export class VerifyBar {
  readonly #heading = h('h2', { id: 'verify-heading', class: 'verify-heading' });
  readonly #words = h('p', { class: 'verify-words', 'data-testid': 'verify-words' });
  readonly element = h(
    'section',
    { class: 'verify-bar', 'aria-labelledby': 'verify-heading', 'data-testid': 'verify' },
    this.#heading,
    this.#words,
    h(
      'div',
      { class: 'row' },
      button({
        label: 'They match',
        icon: 'check',
        onClick: () => this.#confirm(),
        className: 'btn primary',
        testId: 'words-match',
      }),
      button({
        label: "They don't match",
        icon: 'close',
        onClick: () => this.onMismatch(),
        className: 'btn danger',
        testId: 'words-differ',
      }),
    ),
  );
  #shown: string | undefined;
  #confirmed: string | undefined;

  /** `onMismatch`: the person says the words differ (the call view ends the call). */
  constructor(private readonly onMismatch: () => void) {
    this.element.hidden = true;
  }

  /** Shows `words` to compare with `peerName`, unless these very words were confirmed already; none hides the bar. */
  update(words: string[] | undefined, peerName: string): void {
    const shown = words?.join(' ');
    const heading = `Compare these words with ${peerName}`;
    if (shown !== this.#shown || heading !== this.#heading.textContent) {
      // Only on a change: a screen reader that is reading the words is not interrupted every few seconds.
      this.#shown = shown;
      this.#heading.textContent = heading;
      this.#words.replaceChildren(...(words ?? []).map((word) => h('span', { class: 'word' }, word)));
    }
    this.element.hidden = !shown || shown === this.#confirmed;
  }

  #confirm(): void {
    this.#confirmed = this.#shown;
    this.element.hidden = true;
    toast('The words match: nobody is in the middle of your call.');
  }
}
