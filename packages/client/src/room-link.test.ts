import { createOwnerKey, createRoomId } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { invitationLink, roomLink, routeFromHash } from './room-link';

describe('when reading the route from the fragment', () => {
  it('should show the landing page for no fragment', () => {
    expect(routeFromHash('')).toEqual({ view: 'landing' });
    expect(routeFromHash('#')).toEqual({ view: 'landing' });
  });

  it('should open the room for a well-formed room id', () => {
    const roomId = createRoomId();
    expect(routeFromHash(`#${roomId}`)).toEqual({ view: 'room', roomId });
  });

  it('should read an invitation: the room and its ticket', () => {
    const roomId = createRoomId();
    expect(routeFromHash(`#${roomId}/abc.def`)).toEqual({ view: 'room', roomId, ticket: 'abc.def' });
    expect(routeFromHash(`#${roomId}/`)).toEqual({ view: 'broken-link' });
    expect(routeFromHash(`#${roomId}/a/b`)).toEqual({ view: 'broken-link' });
    expect(routeFromHash(`#${roomId}/${'x'.repeat(5000)}`)).toEqual({ view: 'broken-link' });
  });

  it('should read the owner link, and call a mangled one broken', () => {
    const ownerKey = createOwnerKey();
    expect(routeFromHash(`#owner=${ownerKey}`)).toEqual({ view: 'owner-key', ownerKey });
    expect(routeFromHash(`#owner=${ownerKey.slice(1)}`)).toEqual({ view: 'broken-link' });
  });

  it('should call a truncated or mangled id a broken link', () => {
    const roomId = createRoomId();
    expect(routeFromHash(`#${roomId.slice(0, 20)}`)).toEqual({ view: 'broken-link' });
    expect(routeFromHash('#<script>')).toEqual({ view: 'broken-link' });
  });
});

describe('when building a link to share', () => {
  it('should keep the page address and put the room in the fragment', () => {
    expect(roomLink('https://call.example.com/', 'abc')).toBe('https://call.example.com/#abc');
  });

  it('should put an invitation after the room', () => {
    expect(invitationLink('https://call.example.com/?debug', 'abc', 't.s')).toBe('https://call.example.com/#abc/t.s');
  });

  it('should drop diagnostic options and any old fragment', () => {
    expect(roomLink('http://127.0.0.1:5173/?relay&debug#old', 'abc')).toBe('http://127.0.0.1:5173/#abc');
  });
});
