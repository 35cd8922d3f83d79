import { MAX_NAME_BYTES, MAX_NAME_LENGTH } from './limits';

const encoder = new TextEncoder();

/**
 * A display name cut to what the server accepts: trimmed, at most MAX_NAME_LENGTH characters as a person sees them
 * (graphemes: 👩🏽‍💻 is one) and MAX_NAME_BYTES bytes, never in the middle of a character.
 */
export function clampDisplayName(text: string): string {
  const graphemes = [...new Intl.Segmenter(undefined, { granularity: 'grapheme' }).segment(text.trim())];
  let name = '';
  let bytes = 0;
  for (const { segment } of graphemes.slice(0, MAX_NAME_LENGTH)) {
    bytes += encoder.encode(segment).length;
    if (bytes > MAX_NAME_BYTES) break;
    name += segment;
  }
  return name.trim();
}
