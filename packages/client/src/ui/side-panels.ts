import { button } from './common';
import { h } from './dom';

/*
 * The call's side panel: one of several (chat and files, quality, devices, debug) open at a time, beside the stage on
 * a wide screen and as a sheet from the bottom on a phone. A panel whose code is optional (quality, debug) is made
 * the first time it opens, so its code can load lazily, as its own chunk.
 */

/** One panel: its title, the control that opens it (absent: not offered here), and how its content is made. */
export interface SidePanel {
  title: string;
  control: HTMLElement | undefined;
  /** Called on the first opening; a promise for content whose code loads lazily. */
  content(): HTMLElement | Promise<HTMLElement>;
}

/** The side panels of a call; `onToggle` hears which one is open (none: undefined) after every change. */
export class SidePanels<Name extends string> {
  readonly #title = h('h2', { id: 'panel-title' }, '');
  readonly #body = h('div', { class: 'panel-body' });
  readonly element = h(
    'aside',
    { class: 'panel', 'aria-labelledby': 'panel-title', 'data-testid': 'side-panel' },
    h(
      'header',
      {},
      this.#title,
      button({
        label: 'Close panel',
        icon: 'close',
        onClick: () => this.toggle(undefined),
        variant: 'icon',
        className: 'ctl small',
      }),
    ),
    this.#body,
  );
  readonly #made = new Map<Name, HTMLElement | Promise<HTMLElement>>();
  #open: Name | undefined;

  constructor(
    private readonly panels: Record<Name, SidePanel>,
    private readonly onToggle: (open: Name | undefined) => void,
  ) {
    this.element.hidden = true;
  }

  /** The panel open now, if any. */
  get open(): Name | undefined {
    return this.#open;
  }

  /** Opens `name` (closing another), or closes it if it is open; undefined closes whatever is open. */
  toggle(name: Name | undefined): void {
    const next = name === this.#open ? undefined : name;
    this.#open = next;
    this.element.hidden = !next;
    for (const [panelName, { control }] of Object.entries<SidePanel>(this.panels)) {
      control?.setAttribute('aria-expanded', String(next === panelName));
    }
    if (next) {
      const panel = this.panels[next];
      this.#title.textContent = panel.title;
      let content = this.#made.get(next);
      if (!content) {
        content = panel.content();
        this.#made.set(next, content);
      }
      if (content instanceof HTMLElement) this.#show(content);
      else {
        this.#body.replaceChildren(); // not the previous panel's content under this one's title
        void content.then((element) => {
          // Another panel may have been chosen while this one's code loaded.
          if (this.#open === next) this.#show(element);
        });
      }
    }
    this.onToggle(next);
  }

  #show(content: HTMLElement): void {
    if (this.#body.firstChild !== content) this.#body.replaceChildren(content);
  }
}
