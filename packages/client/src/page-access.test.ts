import {
  createOwnerKey,
  createRoomId,
  importOwnerKey,
  OWNER_TICKET_VALIDITY_SECONDS,
  readTicket,
  ticketValidityLimits,
  verifyTicket,
} from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { roomAccess, signInvitation } from './page-access';

const NOW = 1_800_000_000;
const roomId = createRoomId();

describe('roomAccess', () => {
  it('should need nothing on an open deployment', async () => {
    const access = await roomAccess({
      access: 'open',
      roomId,
      ticket: undefined,
      nowSeconds: NOW,
      loadOwnerKey: async () => undefined,
    });
    expect(access).toEqual({ kind: 'open' });
  });

  it('should give a stranger (no key, no invitation) nothing to connect with', async () => {
    const access = await roomAccess({
      access: 'private',
      roomId,
      ticket: undefined,
      nowSeconds: NOW,
      loadOwnerKey: async () => undefined,
    });
    expect(access).toEqual({ kind: 'stranger' });
  });

  it('should sign the owner a ticket for this room that the server accepts', async () => {
    const owner = await importOwnerKey(createOwnerKey());
    const access = await roomAccess({
      access: 'private',
      roomId,
      ticket: undefined,
      nowSeconds: NOW,
      loadOwnerKey: async () => owner,
    });
    expect(access.kind).toBe('owner');
    const ticket = access.kind === 'owner' ? access.ticket : '';
    const check = await verifyTicket(owner, ticket, NOW, ticketValidityLimits(24));
    expect(check).toMatchObject({
      ok: true,
      claims: { room: roomId, role: 'owner', exp: NOW + OWNER_TICKET_VALIDITY_SECONDS },
    });
  });

  it('should read an invitation: who invited, expired or not, and refuse one for another room', async () => {
    const owner = await importOwnerKey(createOwnerKey());
    const ticket = await signInvitation(owner, { roomId, hours: 24, by: 'Ada', nowSeconds: NOW });
    const read = (at: number, room = roomId) =>
      roomAccess({ access: 'private', roomId: room, ticket, nowSeconds: at, loadOwnerKey: async () => owner });
    expect(await read(NOW)).toEqual({ kind: 'guest', ticket, invitedBy: 'Ada' });
    expect(await read(NOW + 24 * 3600)).toEqual({ kind: 'expired', invitedBy: 'Ada' });
    expect(await read(NOW, createRoomId())).toEqual({ kind: 'broken' });
    expect(readTicket(ticket)).toMatchObject({ role: 'guest', exp: NOW + 24 * 3600 });
  });
});
