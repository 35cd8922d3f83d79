import { describe, expect, it } from 'vitest';
import { MAX_ECHOED_CHARS, MAX_MESSAGE_BYTES, MAX_NAME_LENGTH, PROTOCOL_VERSION } from './limits';
import { parseClientMessage, parseServerMessage } from './parse';
import { createRoomId, isRoomId } from './room-id';

const roomId = createRoomId();

describe('room ids', () => {
  it('should be 22 url-safe characters carrying 128 random bits', () => {
    const ids = new Set(Array.from({ length: 1000 }, createRoomId));
    expect(ids.size).toBe(1000);
    for (const id of ids) expect(isRoomId(id)).toBe(true);
  });

  it('should reject ids of the wrong length or alphabet', () => {
    for (const bad of ['', 'short', `${roomId}x`, `${roomId.slice(0, 21)}/`, `${roomId.slice(0, 21)}=`, 42, null]) {
      expect(isRoomId(bad)).toBe(false);
    }
  });
});

describe('parseClientMessage', () => {
  it('should accept a join and keep its fields', () => {
    const parsed = parseClientMessage(JSON.stringify({ type: 'join', id: 'r1', v: PROTOCOL_VERSION, roomId }));
    expect(parsed).toEqual({ ok: true, message: { type: 'join', id: 'r1', v: PROTOCOL_VERSION, roomId } });
  });

  it('should name the offending request in its error', () => {
    const parsed = parseClientMessage(JSON.stringify({ type: 'join', id: 'r2', v: PROTOCOL_VERSION, roomId: 'nope' }));
    expect(parsed).toMatchObject({ ok: false, code: 'bad-room-id', ref: 'r2' });
  });

  it('should count a display name as a person sees it: 40 emoji fit, 41 do not', () => {
    const join = (name: string) =>
      parseClientMessage(JSON.stringify({ type: 'join', v: PROTOCOL_VERSION, roomId, name }));
    expect(join('👩🏽‍💻'.repeat(MAX_NAME_LENGTH))).toMatchObject({ ok: true });
    expect(join('😀'.repeat(MAX_NAME_LENGTH + 1))).toMatchObject({ ok: false, code: 'bad-message' });
    // Forty "characters" piled with combining marks are still refused: a name is bounded in bytes too.
    expect(join(`a${'\u0301'.repeat(400)}`)).toMatchObject({ ok: false, code: 'bad-message' });
  });

  it('should never answer with an error larger than a short quote of the input', () => {
    const key = 'k'.repeat(30_000);
    const parsed = parseClientMessage(JSON.stringify({ type: 'ping', [key]: 1 }));
    expect(parsed.ok).toBe(false);
    expect(parsed.ok ? '' : parsed.message.length).toBeLessThan(4 * MAX_ECHOED_CHARS);
  });

  it('should accept a signal that names its room, and one that does not', () => {
    const signal = { type: 'signal', to: 'd2hPzS0t0V3tYb9k', data: { kind: 'candidate', candidate: null } };
    expect(parseClientMessage(JSON.stringify({ ...signal, roomId }))).toEqual({
      ok: true,
      message: { ...signal, roomId },
    });
    expect(parseClientMessage(JSON.stringify(signal))).toEqual({ ok: true, message: signal });
  });

  it.each([
    ['not JSON', '{', 'bad-json'],
    ['empty', '', 'bad-json'],
    ['an array', '[]', 'bad-message'],
    ['a number', '7', 'bad-message'],
    ['no type', '{}', 'bad-message'],
    ['an unknown type', '{"type":"hello"}', 'unknown-type'],
    ['an extra field', '{"type":"ping","x":1}', 'bad-message'],
    [
      'a signal naming a malformed room',
      `{"type":"signal","roomId":"${roomId}x","to":"d2hPzS0t0V3tYb9k","data":{"kind":"candidate","candidate":null}}`,
      'bad-message',
    ],
    ['a wrong version', `{"type":"join","v":99,"roomId":"${roomId}"}`, 'unsupported-version'],
    ['oversized', JSON.stringify({ type: 'ping', id: 'x'.repeat(MAX_MESSAGE_BYTES) }), 'too-large'],
  ])('should reject %s with %s', (_name, raw, code) => {
    expect(parseClientMessage(raw)).toMatchObject({ ok: false, code });
  });
});

describe('parseServerMessage', () => {
  it('should accept an error and refuse an unknown shape', () => {
    expect(parseServerMessage('{"type":"error","code":"room-full","message":"Full"}')).toMatchObject({
      code: 'room-full',
    });
    expect(parseServerMessage('{"type":"error","code":"nope","message":"x"}')).toBeUndefined();
    expect(parseServerMessage('nope')).toBeUndefined();
  });
});
