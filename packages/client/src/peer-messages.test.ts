import { describe, expect, it } from 'vitest';
import { decodePeerMessage, encodePeerMessage, MAX_CHAT_MESSAGE_LENGTH } from './peer-messages';

describe('when peers exchange messages', () => {
  it('should round-trip chat, media state and goodbye', () => {
    for (const message of [
      { type: 'chat', text: 'hello 👋' },
      { type: 'media', audio: true, video: false, screen: false },
      { type: 'bye' },
    ] as const) {
      expect(decodePeerMessage(encodePeerMessage(message))).toEqual(message);
    }
  });

  it('should cut chat text to the limit and drop empty messages', () => {
    const long = decodePeerMessage(encodePeerMessage({ type: 'chat', text: 'x'.repeat(MAX_CHAT_MESSAGE_LENGTH + 5) }));
    expect(long).toEqual({ type: 'chat', text: 'x'.repeat(MAX_CHAT_MESSAGE_LENGTH) });
    expect(decodePeerMessage('{"type":"chat","text":"   "}')).toBeUndefined();
  });

  it('should ignore anything malformed', () => {
    for (const raw of ['nope', '{"type":"chat"}', '{"type":"explode"}', 'null', new ArrayBuffer(3)]) {
      expect(decodePeerMessage(raw)).toBeUndefined();
    }
  });
});
