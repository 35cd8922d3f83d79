import { describe, expect, it } from 'vitest';
import { canFlipCamera, nextCamera } from './camera-flip';

describe('when the person flips the camera', () => {
  it('should offer the flip only with more than one camera', () => {
    expect(canFlipCamera([])).toBe(false);
    expect(canFlipCamera([{ deviceId: 'front' }])).toBe(false);
    expect(canFlipCamera([{ deviceId: 'front' }, { deviceId: 'back' }])).toBe(true);
    expect(nextCamera([{ deviceId: 'front' }], { deviceId: 'front' })).toBeUndefined();
  });

  it('should go from front to back and back to front on a phone with several back lenses', () => {
    const phone = [
      { deviceId: 'front', facingMode: ['user'] },
      { deviceId: 'wide', facingMode: ['environment'] },
      { deviceId: 'ultra-wide', facingMode: ['environment'] },
    ];
    expect(nextCamera(phone, { deviceId: 'front', facingMode: 'user' })).toBe('wide');
    expect(nextCamera(phone, { deviceId: 'ultra-wide', facingMode: 'environment' })).toBe('front');
    // The track may not say which way it faces: the device list does.
    expect(nextCamera(phone, { deviceId: 'wide' })).toBe('front');
  });

  it('should go to the next camera, round, where the directions are unknown (a computer)', () => {
    const desk = [{ deviceId: 'a', facingMode: [] }, { deviceId: 'b' }, { deviceId: 'c' }];
    expect(nextCamera(desk, { deviceId: 'a' })).toBe('b');
    expect(nextCamera(desk, { deviceId: 'c' })).toBe('a');
    expect(nextCamera(desk, { deviceId: 'unplugged' })).toBe('a');
  });
});
