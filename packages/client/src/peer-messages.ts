/*
 * What the two browsers tell each other directly, over the `chat` data channel (end-to-end encrypted by DTLS,
 * never through the server): chat text, whether microphone and camera are on (so the other side can show
 * "muted" or a placeholder instead of a frozen frame), and a goodbye when someone hangs up.
 */

/** Longest chat message, in characters. */
export const MAX_CHAT_MESSAGE_LENGTH = 2_000;

export type PeerMessage =
  | { type: 'chat'; text: string }
  | { type: 'media'; audio: boolean; video: boolean; screen: boolean }
  | { type: 'bye' };

/** Serializes a message for the data channel. */
export function encodePeerMessage(message: PeerMessage): string {
  return JSON.stringify(message);
}

/** A JSON object from the other side (a peer message or a file-transfer control), or undefined. */
export function parseObject(raw: string): Record<string, unknown> | undefined {
  try {
    const value: unknown = JSON.parse(raw);
    if (typeof value === 'object' && value) return value as Record<string, unknown>;
  } catch {}
}

/** Reads a message from the peer; anything malformed is undefined (and ignored). */
export function decodePeerMessage(raw: unknown): PeerMessage | undefined {
  if (typeof raw !== 'string' || raw.length > MAX_CHAT_MESSAGE_LENGTH * 6 + 100) return undefined;
  const m = parseObject(raw);
  if (!m) return undefined;
  if (m.type === 'chat' && typeof m.text === 'string') {
    const text = m.text.trim().slice(0, MAX_CHAT_MESSAGE_LENGTH);
    return text ? { type: 'chat', text } : undefined;
  }
  if (m.type === 'media') {
    return { type: 'media', audio: m.audio === true, video: m.video === true, screen: m.screen === true };
  }
  if (m.type === 'bye') return { type: 'bye' };
  return undefined;
}
