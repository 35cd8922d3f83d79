import { describeProblem, type ProblemKind } from '../problems';
import { h, type Props } from './dom';
import { type ICONS, icon } from './icons';

/* Pieces every view uses: buttons with accessible names, problem notices, the share-link box, toasts. */

export type IconName = keyof typeof ICONS;

/**
 * What a button shows: `text`, its label (with the icon, if any, before it); `icon`, only the icon, the label being its
 * accessible name and tooltip; `captioned`, the icon with the label under it as a caption that wide screens show
 * (narrow ones hide it by CSS, and the label stays the accessible name and tooltip).
 */
export type ButtonVariant = 'text' | 'icon' | 'captioned';

export interface ButtonOptions {
  /** What the button does, in words: its text, or its accessible name. */
  label: string;
  icon?: IconName;
  onClick: () => void;
  /** Default `text`. */
  variant?: ButtonVariant;
  /** Style classes (`btn primary`, `ctl danger`, `round`…); default `btn`. */
  className?: string;
  testId?: string;
  /** Its keyboard shortcut (see shortcuts.ts), announced and shown in the tooltip. */
  shortcut?: string;
}

/** A button with an accessible name; see `ButtonVariant` for what it shows. */
export function button(options: ButtonOptions): HTMLButtonElement {
  const { label, variant = 'text', shortcut } = options;
  const target = h(
    'button',
    {
      type: 'button',
      class: options.className ?? 'btn',
      'aria-keyshortcuts': shortcut,
      'data-testid': options.testId,
      onclick: options.onClick,
    },
    options.icon && icon(options.icon),
    variant === 'text' && h('span', {}, label),
    variant === 'captioned' && h('span', { class: 'caption', 'aria-hidden': 'true' }, label),
  );
  if (variant !== 'text') name(target, label, shortcut);
  return target;
}

/** An icon button's accessible name and its tooltip, which also shows the shortcut. */
function name(target: HTMLButtonElement, label: string, shortcut: string | undefined): void {
  target.setAttribute('aria-label', label);
  target.title = shortcut ? `${label} (${shortcut})` : label;
}

/** Re-labels an icon or captioned button (a toggle whose name says what pressing it does). */
export function relabel(target: HTMLButtonElement, label: string, iconName: IconName, shortcut?: string): void {
  name(target, label, shortcut);
  target.querySelector('svg')?.replaceWith(icon(iconName));
  const caption = target.querySelector('.caption');
  if (caption) caption.textContent = label;
}

/** A plain-language problem: what happened and what to do, with an optional action. */
export function problemNotice(kind: ProblemKind, action?: HTMLElement | false): HTMLElement {
  const problem = describeProblem(kind);
  return h(
    'div',
    { class: 'notice', role: 'alert', 'data-testid': 'problem', 'data-problem': kind },
    h('p', { class: 'notice-title' }, problem.title),
    h('p', {}, problem.action),
    action && h('div', { class: 'row' }, action),
  );
}

let toastTimer: ReturnType<typeof setTimeout> | undefined;
/** How long a toast stays up. */
const TOAST_MS = 3_500;

/** A short message at the bottom of the screen, announced politely to screen readers. */
export function toast(text: string): void {
  let region = document.getElementById('toast');
  if (!region) {
    region = h('div', { id: 'toast', class: 'toast', role: 'status', 'aria-live': 'polite' });
    document.body.append(region);
  }
  region.textContent = text;
  region.classList.add('show');
  clearTimeout(toastTimer);
  toastTimer = setTimeout(() => region.classList.remove('show'), TOAST_MS);
}

/** The room link with Copy (and Share, where the Web Share API exists). */
export function shareBox(link: string): HTMLElement {
  const field = h('input', {
    class: 'input link-field',
    readonly: true,
    value: link,
    'aria-label': 'Call link',
    'data-testid': 'room-link',
    onfocus: () => field.select(),
  });
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(link);
      toast('Link copied. Send it to the person you want to talk to.');
    } catch {
      field.focus();
      toast('Select the link and copy it.');
    }
  };
  const share = () => void navigator.share({ title: 'Join my Parley call', url: link }).catch(() => undefined);
  return h(
    'div',
    { class: 'share' },
    field,
    h(
      'div',
      { class: 'row' },
      button({ label: 'Copy link', icon: 'link', onClick: () => void copy() }),
      typeof navigator.share === 'function' && button({ label: 'Share link', icon: 'share', onClick: share }),
    ),
  );
}

/** A full-page message (errors, the end of a call) with its actions. */
export function messagePage(heading: string, body: string, actions: HTMLElement[], props?: Props): HTMLElement {
  return h(
    'section',
    { class: 'page card-page', ...props },
    h(
      'div',
      { class: 'card' },
      h('p', { class: 'brand' }, 'Parley'),
      h('h1', {}, heading),
      h('p', {}, body),
      h('div', { class: 'row' }, ...actions),
    ),
  );
}

/** A page for a problem that stops everything. */
export function problemPage(kind: ProblemKind, ...actions: HTMLElement[]): HTMLElement {
  const problem = describeProblem(kind);
  return messagePage(problem.title, problem.action, actions, {
    role: 'alert',
    'data-testid': 'problem',
    'data-problem': kind,
  });
}
