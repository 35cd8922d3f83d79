import { ERROR_CODES } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { callEndingFor, describeProblem, mediaProblem } from './problems';

describe('when a device cannot be opened', () => {
  it('should tell a blocked permission from a busy camera and a missing one', () => {
    expect(mediaProblem('NotAllowedError')).toBe('permission-denied');
    // Where to allow them, in every browser we support (each hides it somewhere else).
    const help = describeProblem('permission-denied').action;
    for (const way of ['camera icon', 'permissions icon', 'Settings for This Website']) expect(help).toContain(way);
    expect(mediaProblem('NotReadableError')).toBe('device-in-use');
    expect(mediaProblem('NotFoundError')).toBe('no-devices');
  });
});

describe('when the server refuses us', () => {
  it('should explain a full room', () => {
    const problem = describeProblem(callEndingFor('room-full') ?? 'no-webrtc');
    expect(problem.title).toBe('This call already has two people in it.');
    expect(problem.action).toMatch(/new call/);
  });
  it('should have a message with an action for every error code that ends the call', () => {
    for (const code of ERROR_CODES) {
      const ending = callEndingFor(code);
      if (!ending) continue;
      const problem = describeProblem(ending);
      expect(problem.title.length).toBeGreaterThan(10);
      expect(problem.action.length).toBeGreaterThan(10);
    }
  });
  it('should end the call only for errors that retrying cannot fix', () => {
    expect(ERROR_CODES.filter((code) => callEndingFor(code) !== undefined).sort()).toEqual([
      'bad-room-id',
      'room-full',
      'ticket-in-use',
      'unsupported-version',
      'wrong-room',
    ]);
  });
});
