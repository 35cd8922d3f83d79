import { describe, expect, it } from 'vitest';
import {
  createOwnerKey,
  importOwnerKey,
  isOwnerKey,
  MAX_TICKET_CHARS,
  OWNER_KEY_LENGTH,
  readTicket,
  signalingUrlWithTicket,
  signTicket,
  ticketValidityLimits,
  verifyTicket,
} from './access';
import { createRoomId } from './room-id';

const NOW = 1_800_000_000;
const LIMITS = ticketValidityLimits(24);
const room = createRoomId();

describe('the owner key', () => {
  it('is 43 letters and digits, different every time', () => {
    const keys = new Set(Array.from({ length: 50 }, createOwnerKey));
    expect(keys.size).toBe(50);
    for (const key of keys) {
      expect(key).toHaveLength(OWNER_KEY_LENGTH);
      expect(isOwnerKey(key)).toBe(true);
    }
  });

  it('is refused at import when it has another shape', async () => {
    await expect(importOwnerKey('short')).rejects.toThrow(/43 letters and digits/);
    await expect(importOwnerKey(`${createOwnerKey().slice(1)}!`)).rejects.toThrow();
  });

  it('has a stable id, different for another key', async () => {
    const key = createOwnerKey();
    const [a, b, other] = await Promise.all([
      importOwnerKey(key),
      importOwnerKey(key),
      importOwnerKey(createOwnerKey()),
    ]);
    expect(a.kid).toBe(b.kid);
    expect(a.kid).not.toBe(other.kid);
  });
});

describe('When a ticket is signed and checked', () => {
  it('should accept it with its claims', async () => {
    const owner = await importOwnerKey(createOwnerKey());
    const ticket = await signTicket(owner, { room, role: 'guest', exp: NOW + 3600, by: '  Ada  ' });
    const check = await verifyTicket(owner, ticket, NOW, LIMITS);
    expect(check).toEqual({
      ok: true,
      claims: expect.objectContaining({ room, role: 'guest', exp: NOW + 3600, by: 'Ada' }),
    });
    expect(readTicket(ticket)?.tid).toMatch(/^[A-Za-z0-9_-]{16}$/);
  });

  it('should refuse a ticket signed with another key as revoked (same shape, other key id)', async () => {
    const old = await importOwnerKey(createOwnerKey());
    const current = await importOwnerKey(createOwnerKey());
    const ticket = await signTicket(old, { room, role: 'guest', exp: NOW + 60 });
    expect(await verifyTicket(current, ticket, NOW, LIMITS)).toEqual({ ok: false, reason: 'revoked' });
  });

  it('should refuse changed claims as forged', async () => {
    const owner = await importOwnerKey(createOwnerKey());
    const ticket = await signTicket(owner, { room, role: 'guest', exp: NOW + 60 });
    const [body, signature] = ticket.split('.') as [string, string];
    const claims = JSON.parse(atob(body.replace(/-/g, '+').replace(/_/g, '/')));
    const other = btoa(JSON.stringify({ ...claims, role: 'owner' }))
      .replace(/\+/g, '-')
      .replace(/\//g, '_')
      .replace(/=+$/, '');
    expect(await verifyTicket(owner, `${other}.${signature}`, NOW, LIMITS)).toEqual({ ok: false, reason: 'forged' });
    const flipped = signature.startsWith('A') ? `B${signature.slice(1)}` : `A${signature.slice(1)}`;
    expect(await verifyTicket(owner, `${body}.${flipped}`, NOW, LIMITS)).toEqual({ ok: false, reason: 'forged' });
  });

  it('should refuse an expired ticket, and one valid for longer than its role allows', async () => {
    const owner = await importOwnerKey(createOwnerKey());
    const expired = await signTicket(owner, { room, role: 'guest', exp: NOW });
    expect(await verifyTicket(owner, expired, NOW, LIMITS)).toEqual({ ok: false, reason: 'expired' });
    const tooLong = await signTicket(owner, { room, role: 'guest', exp: NOW + 25 * 3600 });
    expect(await verifyTicket(owner, tooLong, NOW, LIMITS)).toEqual({ ok: false, reason: 'too-long-lived' });
    const ownerTicket = await signTicket(owner, { room, role: 'owner', exp: NOW + 25 * 3600 });
    expect(await verifyTicket(owner, ownerTicket, NOW, LIMITS)).toEqual({ ok: false, reason: 'too-long-lived' });
  });

  it('should refuse malformed input without throwing', async () => {
    const owner = await importOwnerKey(createOwnerKey());
    for (const bad of ['', '.', 'a.b', 'a.b.c', '%%%.%%%', 'x'.repeat(MAX_TICKET_CHARS + 1), `${btoa('{}')}.AAAA`]) {
      expect(await verifyTicket(owner, bad, NOW, LIMITS)).toEqual({ ok: false, reason: 'malformed' });
    }
  });

  it('should cap the inviter name at 40 characters a person sees', async () => {
    const owner = await importOwnerKey(createOwnerKey());
    const ticket = await signTicket(owner, { room, role: 'guest', exp: NOW + 60, by: '👩🏽‍💻'.repeat(50) });
    expect(readTicket(ticket)?.by).toBe('👩🏽‍💻'.repeat(40));
    expect((await verifyTicket(owner, ticket, NOW, LIMITS)).ok).toBe(true);
  });
});

describe('signalingUrlWithTicket', () => {
  it('puts the room and ticket in the query string, escaped', () => {
    expect(signalingUrlWithTicket('wss://x.example/v1', room, 'a.b+')).toBe(
      `wss://x.example/v1?room=${room}&ticket=a.b%2B`,
    );
    expect(signalingUrlWithTicket('ws://127.0.0.1:5/local', room, undefined)).toBe('ws://127.0.0.1:5/local');
  });
});
