/**
 * A private deployment, tried as a stranger, a guest and someone with a leaked link would: the `$connect` authorizer
 * in the API Gateway stand-in (the same code as the Lambda authorizer), the real handlers, dynalite and real coturn.
 */
import {
  createRoomId,
  importOwnerKey,
  MAX_PARKED_OFFER_BYTES,
  type OwnerKey,
  PROTOCOL_VERSION,
  signalingUrlWithTicket,
  signTicket,
  type TicketRole,
} from '@parley/protocol';
import { TURN_USER_QUOTA, TurnClient, TurnRequestError } from '@parley/turn';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSystem, startLocalSystem } from './local-system';
import { TestClient } from './test-client';

let system: LocalSystem;
let owner: OwnerKey;
const clients: TestClient[] = [];
const turnClients: TurnClient[] = [];
const INVITE_HOURS = 24;
/** The handlers' clock: a test moves it to get credentials issued at different times. */
let clock = Date.now();

const nowSeconds = () => Math.floor(clock / 1000);

async function ticketFor(room: string, role: TicketRole = 'guest', extra: { exp?: number; tid?: string } = {}) {
  return signTicket(owner, {
    room,
    role,
    exp: extra.exp ?? nowSeconds() + 3600,
    ...(extra.tid ? { tid: extra.tid } : {}),
  });
}

async function connectWith(room: string, ticket: string): Promise<TestClient> {
  const client = await TestClient.connect(signalingUrlWithTicket(system.signalingUrl, room, ticket));
  clients.push(client);
  return client;
}

/** The HTTP status a handshake was refused with (or 101 when it was not refused). */
async function handshakeStatus(url: string): Promise<number> {
  try {
    const client = await TestClient.connect(url);
    clients.push(client);
    return 101;
  } catch (error) {
    return (error as { status?: number }).status ?? 0;
  }
}

/** Everything the system did in DynamoDB, and the sockets it holds: a refused stranger must change neither. */
function footprint() {
  return { requests: { ...system.dynamodbRequestCounts() }, connections: system.gateway.connectionIds().length };
}

beforeAll(async () => {
  system = await startLocalSystem({
    turn: 'on',
    logLevel: 'SILENT',
    site: false,
    inviteValidityHours: INVITE_HOURS,
    now: () => clock,
  });
  owner = await importOwnerKey(system.ownerKey());
});

afterAll(async () => {
  await Promise.allSettled(clients.map((client) => client.close()));
  for (const client of turnClients) client.close();
  await system?.stop();
});

describe('When someone without a valid ticket connects', () => {
  it('should refuse the handshake before any handler runs: no socket, no DynamoDB request', async () => {
    const room = createRoomId();
    const before = footprint();
    const other = await importOwnerKey('A'.repeat(43));
    const forged = (await ticketFor(room)).replace(/\.(.)/, (_, c: string) => `.${c === 'A' ? 'B' : 'A'}`);
    const cases: [string, string, number][] = [
      ['no ticket', system.signalingUrl, 401],
      ['a room but no ticket', `${system.signalingUrl}?room=${room}`, 401],
      ['garbage', signalingUrlWithTicket(system.signalingUrl, room, 'x'.repeat(6000)), 403],
      ['a forged signature', signalingUrlWithTicket(system.signalingUrl, room, forged), 403],
      [
        'another owner key',
        signalingUrlWithTicket(
          system.signalingUrl,
          room,
          await signTicket(other, { room, role: 'owner', exp: nowSeconds() + 60 }),
        ),
        403,
      ],
      [
        'an expired ticket',
        signalingUrlWithTicket(system.signalingUrl, room, await ticketFor(room, 'guest', { exp: nowSeconds() - 1 })),
        403,
      ],
      [
        'a guest ticket valid for longer than invitations may be',
        signalingUrlWithTicket(
          system.signalingUrl,
          room,
          await ticketFor(room, 'guest', { exp: nowSeconds() + (INVITE_HOURS + 1) * 3600 }),
        ),
        403,
      ],
      [
        'a ticket for another room',
        signalingUrlWithTicket(system.signalingUrl, createRoomId(), await ticketFor(room)),
        403,
      ],
    ];
    for (const [what, url, status] of cases) {
      expect({ what, status: await handshakeStatus(url) }).toEqual({ what, status });
    }
    expect(footprint()).toEqual(before);
  });

  it('should refuse tickets of a rotated owner key (old owner links and invitations stop working)', async () => {
    const room = createRoomId();
    const oldTicket = await ticketFor(room);
    expect(await handshakeStatus(signalingUrlWithTicket(system.signalingUrl, room, oldTicket))).toBe(101);
    const rotated = await importOwnerKey(system.rotateOwnerKey());
    try {
      expect(await handshakeStatus(signalingUrlWithTicket(system.signalingUrl, room, oldTicket))).toBe(403);
      const fresh = await signTicket(rotated, { room, role: 'guest', exp: nowSeconds() + 60 });
      expect(await handshakeStatus(signalingUrlWithTicket(system.signalingUrl, room, fresh))).toBe(101);
    } finally {
      owner = rotated;
    }
  });
});

describe('When a ticket holder uses the socket', () => {
  it('should act only on the room of the ticket', async () => {
    const room = createRoomId();
    const guest = await connectWith(room, await ticketFor(room));
    const elsewhere = createRoomId();
    for (const message of [
      { type: 'join', v: PROTOCOL_VERSION, roomId: elsewhere },
      { type: 'peek', roomId: elsewhere },
      {
        type: 'park',
        roomId: elsewhere,
        data: { kind: 'description', description: { type: 'offer', sdp: 'v=0\r\n' } },
      },
    ] as const) {
      expect(await guest.next('error', guest.send(message))).toMatchObject({ code: 'wrong-room' });
    }
    expect((await guest.join(room)).roomId).toBe(room);
  });

  it('should let one guest link seat one person: a second socket with it is refused and the guest undisturbed', async () => {
    const room = createRoomId();
    const host = await connectWith(room, await ticketFor(room, 'owner'));
    const joinedHost = await host.join(room, { name: 'Ada' });
    const link = await ticketFor(room);
    const guest = await connectWith(room, link);
    const joinedGuest = await guest.join(room, { name: 'Grace' });
    await host.next('peer-joined');
    // The same link, leaked: it may connect (it is a valid ticket), but it cannot take or replace the guest's seat.
    const intruder = await connectWith(room, link);
    const refused = await intruder.next('error', intruder.send({ type: 'join', v: PROTOCOL_VERSION, roomId: room }));
    expect(refused).toMatchObject({ code: 'ticket-in-use' });
    // …not even while the guest's socket is gone and its seat held for a resume.
    system.gateway.dropConnection(system.gateway.connectionIdOf(guest.socket) as string);
    await host.sync();
    const whileHeld = await intruder.next('error', intruder.send({ type: 'join', v: PROTOCOL_VERSION, roomId: room }));
    expect(whileHeld).toMatchObject({ code: 'ticket-in-use' });
    const back = await connectWith(room, link);
    const resumed = await back.join(room, {
      resume: { memberId: joinedGuest.memberId, token: joinedGuest.resumeToken },
    });
    expect(resumed.resumed).toBe(true);
    // The guest's call goes on: signals still flow both ways, and the host never heard of a departure.
    const id = host.send({
      type: 'signal',
      roomId: room,
      to: joinedGuest.memberId,
      data: { kind: 'candidate', candidate: null },
    });
    await back.waitFor((m): m is typeof m => m.type === 'signal' && m.id === id, 'the host signal');
    expect(host.received.some((m) => m.type === 'peer-left')).toBe(false);
    expect(joinedHost.role).toBe('impolite');
  });

  it('should let a guest come back with the same link after hanging up', async () => {
    const room = createRoomId();
    const link = await ticketFor(room);
    const guest = await connectWith(room, link);
    await guest.join(room);
    await guest.next('left', guest.send({ type: 'leave' }));
    const again = await connectWith(room, link);
    expect((await again.join(room)).resumed).toBe(false);
  });
});

describe('When a parked offer is too large or names addresses', () => {
  it('should refuse an offer over the limit and scrub every address and port from what it keeps', async () => {
    const room = createRoomId();
    const host = await connectWith(room, await ticketFor(room, 'owner'));
    await host.join(room);
    // 31 KB: one signaling message (sent in frames, as API Gateway wants), so only the parked-offer limit refuses it.
    const huge = `v=0\r\n${'a=x-filler:0123456789abcdef\r\n'.repeat(1050)}`;
    expect(huge.length).toBeGreaterThan(MAX_PARKED_OFFER_BYTES);
    const park = {
      type: 'park',
      id: 'big',
      roomId: room,
      data: { kind: 'description', description: { type: 'offer', sdp: huge } },
    };
    host.sendRaw(JSON.stringify(park));
    expect(await host.next('error', 'big')).toMatchObject({ code: 'too-large' });
    // An offer re-made after gathering (e.g. the camera turned on while waiting) carries addresses and ports.
    const gathered = [
      'v=0',
      'o=- 46117317 2 IN IP4 127.0.0.1',
      's=-',
      't=0 0',
      'm=audio 50123 UDP/TLS/RTP/SAVPF 111',
      'c=IN IP4 198.51.100.7',
      'a=rtcp:50124 IN IP4 198.51.100.7',
      'a=candidate:1 1 udp 2122260223 192.0.2.10 50123 typ host',
      'a=candidate:2 1 udp 1686052607 198.51.100.7 50123 typ srflx raddr 192.0.2.10 rport 50123',
      'a=end-of-candidates',
      'm=video 50125 UDP/TLS/RTP/SAVPF 96',
      'c=IN IP6 2001:db8::7',
      '',
    ].join('\r\n');
    host.send({
      type: 'park',
      roomId: room,
      data: { kind: 'description', description: { type: 'offer', sdp: gathered } },
    });
    const visitor = await connectWith(room, await ticketFor(room));
    let sdp = '';
    const deadline = Date.now() + 5_000;
    while (!sdp && Date.now() < deadline) {
      const answer = await visitor.next('room', visitor.send({ type: 'peek', roomId: room }));
      sdp = answer.offer?.data.description.sdp ?? '';
    }
    expect(sdp).not.toMatch(/198\.51\.100\.7|192\.0\.2\.10|2001:db8|50123|50124|50125|a=candidate|end-of-candidates/);
    expect(sdp).toContain('m=audio 9 UDP/TLS/RTP/SAVPF 111');
    expect(sdp).toContain('c=IN IP4 0.0.0.0');
  });
});

describe('When TURN credentials are handed to a ticket', () => {
  it('should name the ticket in every username, so that coturn caps allocations per invitation', async () => {
    const room = createRoomId();
    const link = await ticketFor(room);
    const guest = await connectWith(room, link);
    const joined = await guest.join(room);
    const grants: { iceServers: { username?: string; credential?: string }[] }[] = [joined];
    // Asking again later (refresh) gives credentials that expire later, under the same ticket.
    for (let i = 0; i < 2; i++) {
      clock += 7_000;
      grants.push(await guest.next('turn-credentials', guest.send({ type: 'turn-refresh' })));
    }
    const credentials = grants.map(
      (grant) => grant.iceServers.find((server) => server.username) as { username: string; credential: string },
    );
    const ticketId = credentials[0]?.username.split(':')[1];
    expect(ticketId).toMatch(/^[A-Za-z0-9_-]{16}$/);
    for (const { username } of credentials) expect(username.split(':')[1]).toBe(ticketId);
    expect(new Set(credentials.map(({ username }) => username)).size).toBe(3);

    // Allocations with all of them together count against one quota.
    const turnUrl = system.turnUrls.find((url) => url.endsWith('transport=udp')) as string;
    const [, address, port] = /^turn:([^:]+):(\d+)/.exec(turnUrl) as RegExpExecArray;
    const allocations: unknown[] = [];
    for (let i = 0; i <= TURN_USER_QUOTA; i++) {
      const { username, credential } = credentials[i % credentials.length] as { username: string; credential: string };
      const client = await TurnClient.open({ address: address as string, port: Number(port) });
      turnClients.push(client);
      allocations.push(await client.allocate({ username, password: credential }).catch((error: unknown) => error));
    }
    const refused = allocations.filter((result) => result instanceof TurnRequestError);
    expect(allocations.length - refused.length).toBe(TURN_USER_QUOTA);
    expect(refused.map((error) => (error as TurnRequestError).code)).toEqual([486]);
  });
});

describe('When a ticket holder peeks from the lobby', () => {
  it('should get TURN credentials naming its ticket, even with nobody in the room, that coturn accepts', async () => {
    const room = createRoomId();
    const tid = 'lobbyTestTicket0';
    const guest = await connectWith(room, await ticketFor(room, 'guest', { tid }));
    const answer = await guest.next('room', guest.send({ type: 'peek', roomId: room }));
    expect(answer.members).toEqual([]);
    expect(answer.offer).toBeUndefined();
    const turn = answer.iceServers?.find((server) => server.username) as { username: string; credential: string };
    const [expiry, label] = turn.username.split(':');
    expect(label).toBe(tid);
    expect(answer.iceExpiresAt).toBe(Number(expiry) * 1000);

    const turnUrl = system.turnUrls.find((url) => url.endsWith('transport=udp')) as string;
    const [, address, port] = /^turn:([^:]+):(\d+)/.exec(turnUrl) as RegExpExecArray;
    const client = await TurnClient.open({ address: address as string, port: Number(port) });
    turnClients.push(client);
    await expect(client.allocate({ username: turn.username, password: turn.credential })).resolves.toBeDefined();
  });
});
