/*
 * A tiny element builder: the app is small enough that a framework would cost more bytes than it saves. Nothing
 * here writes HTML strings or inline styles, so the strict CSP (no 'unsafe-inline') holds.
 */

type Child = Node | string | false | null | undefined;
type Props = Record<string, string | number | boolean | undefined | ((event: Event) => void)>;

/** Creates an element: `on*` props become listeners, `true` becomes an empty attribute, falsy ones are skipped. */
export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  props: Props = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (typeof value === 'function') element.addEventListener(key.slice(2), value);
    else if (value === true) element.setAttribute(key, '');
    else if (value !== false && value !== undefined) element.setAttribute(key, String(value));
  }
  element.append(...(children.filter(Boolean) as (Node | string)[]));
  return element;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A 24×24 stroke icon from one or more path definitions; decorative (hidden from assistive tech). */
export function icon(paths: string): SVGSVGElement {
  const svg = document.createElementNS(SVG_NS, 'svg');
  svg.setAttribute('viewBox', '0 0 24 24');
  svg.setAttribute('aria-hidden', 'true');
  svg.setAttribute('class', 'icon');
  for (const d of paths.split('|')) {
    const path = document.createElementNS(SVG_NS, 'path');
    path.setAttribute('d', d);
    svg.append(path);
  }
  return svg;
}

/** Replaces an element's children. */
export function replace(parent: Element, ...children: Child[]): void {
  parent.replaceChildren(...(children.filter(Boolean) as (Node | string)[]));
}
