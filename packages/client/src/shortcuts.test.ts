import { describe, expect, it } from 'vitest';
import { type KeyPress, SHORTCUT_KEYS, shortcutAction } from './shortcuts';

const press = (key: string, extra: Partial<KeyPress> = {}): KeyPress => ({
  key,
  ctrlKey: false,
  metaKey: false,
  altKey: false,
  repeat: false,
  editing: false,
  ...extra,
});

describe('when a key is pressed during a call', () => {
  it('should map the shortcut keys, either case', () => {
    expect(shortcutAction(press('m'))).toBe('mic');
    expect(shortcutAction(press('M'))).toBe('mic');
    expect(shortcutAction(press('v'))).toBe('camera');
    expect(shortcutAction(press('s'))).toBe('screen');
    expect(shortcutAction(press('c'))).toBe('chat');
    expect(shortcutAction(press('q'))).toBe('quality');
    expect(shortcutAction(press('r'))).toBe('flipCamera');
    expect(shortcutAction(press('a'))).toBe('audioOnly');
    expect(shortcutAction(press('n'))).toBe('noiseSuppression');
    expect(shortcutAction(press('p'))).toBe('pictureInPicture');
    expect(shortcutAction(press('f'))).toBe('fullscreen');
  });

  it('should ignore keys typed into a text field', () => {
    expect(shortcutAction(press('m', { editing: true }))).toBeUndefined();
  });

  it('should leave modified keys to the browser', () => {
    expect(shortcutAction(press('c', { ctrlKey: true }))).toBeUndefined();
    expect(shortcutAction(press('v', { metaKey: true }))).toBeUndefined();
    expect(shortcutAction(press('m', { altKey: true }))).toBeUndefined();
  });

  it('should not toggle again while a key is held down', () => {
    expect(shortcutAction(press('m', { repeat: true }))).toBeUndefined();
  });

  it('should ignore other keys', () => {
    expect(shortcutAction(press('x'))).toBeUndefined();
    expect(shortcutAction(press('Enter'))).toBeUndefined();
  });

  it('should give every action its own key', () => {
    const keys = Object.values(SHORTCUT_KEYS);
    expect(new Set(keys).size).toBe(keys.length);
  });
});
