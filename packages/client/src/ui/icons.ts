/* Stroke icons (24×24, Lucide-style geometry drawn for this app); `|` separates paths. */

export const ICONS = {
  mic: 'M12 3a3 3 0 00-3 3v6a3 3 0 006 0V6a3 3 0 00-3-3z|M19 11a7 7 0 01-14 0|M12 18v3',
  micOff:
    'M3 3l18 18|M9 9v3a3 3 0 005.1 2.1|M15 9.3V6a3 3 0 00-5.7-1.3|M19 11a7 7 0 01-1.2 3.9|M5 11a7 7 0 0010.6 6|M12 18v3',
  camera: 'M15 10l5-3v10l-5-3|M3 7h12v10H3z',
  cameraOff: 'M3 3l18 18|M15 10l5-3v10l-2-1.2|M11 7h4v4|M3 7h3|M3 7v10h12v-2',
  screen: 'M3 4h18v12H3z|M8 20h8|M12 16v4',
  chat: 'M4 5h16v11H9l-5 4z',
  file: 'M14 3H6v18h12V7z|M14 3v4h4|M12 11v6|M9 14l3-3 3 3',
  quality: 'M4 20v-4|M9 20v-8|M14 20v-12|M19 20V4',
  settings: 'M4 6h16|M4 12h16|M4 18h16|M8 4v4|M16 10v4|M10 16v4',
  hangUp: 'M3 15.5c5-5 13-5 18 0l-2.5 2.5-3-1.5v-2.5a9 9 0 00-7 0v2.5l-3 1.5z',
  link: 'M10 14a5 5 0 007 0l3-3a5 5 0 00-7-7l-1 1|M14 10a5 5 0 00-7 0l-3 3a5 5 0 007 7l1-1',
  share: 'M12 3v12|M8 7l4-4 4 4|M5 12v8h14v-8',
  close: 'M6 6l12 12|M18 6L6 18',
  check: 'M5 12l5 5 9-10',
} as const;

const SVG_NS = 'http://www.w3.org/2000/svg';

/** A 24×24 stroke icon; decorative (hidden from assistive tech). */
export function icon(name: keyof typeof ICONS): SVGSVGElement {
  return pathIcon(ICONS[name]);
}

/** A 24×24 stroke icon from its paths (`|`-separated), for icons kept beside a lazily loaded feature. */
export function pathIcon(paths: string): SVGSVGElement {
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
