/*
 * A tiny element builder: the app is small enough that a framework would cost more bytes than it saves. Nothing
 * here writes HTML strings or inline styles, so the strict CSP (no 'unsafe-inline') holds.
 */

type Child = Node | string | false | null | undefined;
export type Props = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

/** Creates an element: `on*` props become listeners, `true` becomes an empty attribute, falsy ones are skipped. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (typeof value === 'function') element.addEventListener(key.slice(2), value);
    else if (value !== false && value !== undefined) element.setAttribute(key, value === true ? '' : String(value));
  }
  element.append(...(children.filter(Boolean) as (Node | string)[]));
  return element;
}

/** Replaces an element's children. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...(children.filter(Boolean) as (Node | string)[]));
}
