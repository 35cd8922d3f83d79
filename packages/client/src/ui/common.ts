import { describeProblem, type ProblemKind } from '../problems';
import { h, type Props } from './dom';
import { type ICONS, icon } from './icons';

/* Pieces every view uses: buttons with accessible names, problem notices, the share-link box, toasts. */

export type IconName = keyof typeof ICONS;

/**
 * A button, with an icon if given. `btn` buttons show `label` as text; the others (`ctl`, `round`) show only the
 * icon, and `label` is their accessible name and tooltip (with the shortcut).
 */
export function button(
  label: string,
  iconName: IconName | undefined,
  onClick: () => void,
  className = 'btn',
  testId?: string,
  shortcut?: string,
): HTMLButtonElement {
  const iconOnly = !className.startsWith('btn');
  const target = h(
    'button',
    { type: 'button', class: className, 'aria-keyshortcuts': shortcut, 'data-testid': testId, onclick: onClick },
    iconName && icon(iconName),
    !iconOnly && h('span', {}, label),
  );
  if (iconOnly) name(target, label, shortcut);
  return target;
}

/** An icon button's accessible name and its tooltip, which also shows the shortcut. */
function name(target: HTMLButtonElement, label: string, shortcut: string | undefined): void {
  target.setAttribute('aria-label', label);
  target.title = shortcut ? `${label} (${shortcut})` : label;
}

/** Re-labels an icon button (a toggle whose name says what pressing it does). */
export function relabel(target: HTMLButtonElement, label: string, iconName: IconName, shortcut?: string): void {
  name(target, label, shortcut);
  target.querySelector('svg')?.replaceWith(icon(iconName));
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
      button('Copy link', 'link', () => void copy()),
      typeof navigator.share === 'function' && button('Share link', 'share', share),
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
