/**
 * The signaling service end to end on real parts: the handlers run behind the API Gateway stand-in, store in a
 * real DynamoDB-API server (dynalite), and talk to real `ws` clients.
 */
import { createHmac } from 'node:crypto';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, PutCommand, QueryCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import {
  createRoomId,
  PROTOCOL_VERSION,
  RESUME_GRACE_SECONDS,
  SEAT_LEASE_SECONDS,
  type ServerMessage,
} from '@parley/protocol';
import { roomPartition, seatKey } from '@parley/signaling';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSystem, startLocalSystem } from './local-system';
import { type Of, TestClient } from './test-client';

const TURN_SECRET = 'integration-test-secret';
const TURN_TTL_SECONDS = 600;

let system: LocalSystem;
let clock = Date.now();
let documents: DynamoDBDocumentClient;
const clients: TestClient[] = [];

async function connect(): Promise<TestClient> {
  const client = await TestClient.connect(system.signalingUrl);
  clients.push(client);
  return client;
}

/** Two members seated in a fresh room. */
async function pair() {
  const roomId = createRoomId();
  const a = await connect();
  const b = await connect();
  const joinedA = await a.join(roomId, { name: 'Ada' });
  const joinedB = await b.join(roomId, { name: 'Grace' });
  await a.next('peer-joined');
  return { roomId, a, b, joinedA, joinedB };
}

async function roomItems(roomId: string) {
  const result = await documents.send(
    new QueryCommand({
      TableName: system.tableName,
      KeyConditionExpression: 'pk = :pk',
      ExpressionAttributeValues: { ':pk': roomPartition(roomId) },
      ConsistentRead: true,
    }),
  );
  return result.Items ?? [];
}

/** The whole table, for before/after comparisons in tests (the service itself never scans). */
async function tableSnapshot() {
  const result = await documents.send(new ScanCommand({ TableName: system.tableName, ConsistentRead: true }));
  return (result.Items ?? []).sort((x, y) => `${x.pk}${x.sk}`.localeCompare(`${y.pk}${y.sk}`));
}

beforeAll(async () => {
  system = await startLocalSystem({
    // Membership and relay, the same in both access modes; tickets are covered by access.integration.test.ts.
    access: 'open',
    turn: 'off',
    turnSecret: TURN_SECRET,
    turnUrls: ['turn:127.0.0.1:3478?transport=udp'],
    turnCredentialTtlSeconds: TURN_TTL_SECONDS,
    now: () => clock,
    logLevel: 'SILENT',
    site: false,
  });
  documents = DynamoDBDocumentClient.from(
    new DynamoDBClient({
      endpoint: system.dynamodbEndpoint,
      region: 'local',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    }),
  );
});

afterAll(async () => {
  await Promise.all(clients.map((client) => client.close()));
  await system?.stop();
});

describe('when two people join a room', () => {
  it('should seat the first as impolite and the second as polite, and tell the first', async () => {
    const { a, joinedA, joinedB } = await pair();
    expect(joinedA.role).toBe('impolite');
    expect(joinedA.members).toEqual([]);
    expect(joinedB.role).toBe('polite');
    expect(joinedB.members).toEqual([{ memberId: joinedA.memberId, role: 'impolite', name: 'Ada' }]);
    const peerJoined = await a.next('peer-joined');
    expect(peerJoined).toEqual({ type: 'peer-joined', memberId: joinedB.memberId, role: 'polite', name: 'Grace' });
  });

  it('should relay signals both ways unchanged, with the sender and its request id', async () => {
    const { roomId, a, b, joinedA, joinedB } = await pair();
    const offer = {
      kind: 'description' as const,
      description: { type: 'offer' as const, sdp: 'v=0\r\no=- 1 2 IN IP4 0.0.0.0\r\n' },
    };
    // The app names its room; a signal without one (a page from before that field) is relayed all the same.
    const id = a.send({ type: 'signal', roomId, to: joinedB.memberId, data: offer });
    expect(await b.next('signal')).toEqual({ type: 'signal', id, from: joinedA.memberId, data: offer });
    const candidate = {
      kind: 'candidate' as const,
      candidate: { candidate: 'candidate:1 1 udp 1 192.0.2.1 9 typ host', sdpMid: '0', sdpMLineIndex: 0 },
    };
    const back = b.send({ type: 'signal', to: joinedA.memberId, data: candidate });
    expect(await a.next('signal')).toEqual({ type: 'signal', id: back, from: joinedB.memberId, data: candidate });
  });

  it('should tell the other side when one leaves, and keep the room open for a newcomer', async () => {
    const { roomId, a, b, joinedA } = await pair();
    const leave = a.send({ type: 'leave' });
    await a.next('left', leave);
    expect(await b.next('peer-left')).toEqual({ type: 'peer-left', memberId: joinedA.memberId, reason: 'left' });
    const afterLeave = a.send({ type: 'signal', to: joinedA.memberId, data: { kind: 'candidate', candidate: null } });
    expect(await a.next('error', afterLeave)).toMatchObject({ code: 'not-joined' });
    const naming = a.send({
      type: 'signal',
      roomId,
      to: joinedA.memberId,
      data: { kind: 'candidate', candidate: null },
    });
    expect(await a.next('error', naming)).toMatchObject({ code: 'not-joined' });
    const c = await connect();
    const joinedC = await c.join(roomId);
    expect(joinedC.role).toBe('impolite');
    expect(await b.next('peer-joined')).toMatchObject({ memberId: joinedC.memberId });
  });
});

/** Peeks until the answer shows what the test waits for (a park is not acknowledged; sockets are not ordered). */
async function peekUntil(client: TestClient, roomId: string, done: (room: Of<'room'>) => boolean) {
  for (let attempt = 0; attempt < 50; attempt++) {
    const room = await client.next('room', client.send({ type: 'peek', roomId }));
    if (done(room)) return room;
  }
  throw new Error('the room never showed what was expected');
}

describe('when someone looks into a room from its lobby', () => {
  const offer = {
    kind: 'description' as const,
    description: { type: 'offer' as const, sdp: 'v=0\r\no=- 7 2 IN IP4 0.0.0.0\r\n' },
  };

  it('should show the offer parked by the member waiting alone, with TURN credentials of its own', async () => {
    const roomId = createRoomId();
    const a = await connect();
    const joinedA = await a.join(roomId, { name: 'Ada' });
    a.send({ type: 'park', id: 'a1:1', roomId, data: offer });
    const visitor = await connect();
    const room = await peekUntil(visitor, roomId, (answer) => answer.offer !== undefined);
    expect(room.members).toEqual([{ memberId: joinedA.memberId, role: 'impolite', name: 'Ada' }]);
    expect(room.offer).toMatchObject({ from: joinedA.memberId, id: 'a1:1', data: offer });
    const turn = room.offer?.iceServers.find((server) => server.username);
    const [expiry, label] = (turn?.username ?? '').split(':');
    expect(Number(expiry)).toBe(Math.floor(clock / 1000) + TURN_TTL_SECONDS);
    expect(label).not.toBe(joinedA.memberId);
    expect(turn?.credential).toBe(
      createHmac('sha1', TURN_SECRET)
        .update(turn?.username ?? '')
        .digest('base64'),
    );
    // The same credentials at the top level, for the lobby's connection test.
    expect(room.iceServers).toEqual(room.offer?.iceServers);
    expect(room.iceExpiresAt).toBe(room.offer?.iceExpiresAt);
    // Looking changes nothing: the visitor holds no seat, and the waiting member hears nothing.
    const signal = visitor.send({ type: 'signal', roomId, to: joinedA.memberId, data: offer });
    expect(await visitor.next('error', signal)).toMatchObject({ code: 'not-joined' });
    const joinedB = await visitor.join(roomId);
    expect(joinedB.role).toBe('polite');
    // Joining hands over the parked offer too, and tells the one who parked it that it need not send it again.
    expect(joinedB.offer).toEqual({ id: 'a1:1', data: offer });
    expect(await a.next('peer-joined')).toMatchObject({ memberId: joinedB.memberId, offerId: 'a1:1' });
    // The offer was for whoever joined next: once someone has, nobody finds it again (not even after they leave).
    const leave = visitor.send({ type: 'leave' });
    await visitor.next('left', leave);
    await peekUntil(visitor, roomId, (answer) => answer.members.length === 1 && answer.offer === undefined);
    expect((await roomItems(roomId)).some((item) => 'parked' in item)).toBe(false);
  });

  it('should show members but no offer, and no credentials, when nobody waits with one or the room is full', async () => {
    const roomId = createRoomId();
    const visitor = await connect();
    const empty = await visitor.next('room', visitor.send({ type: 'peek', roomId }));
    expect(empty).toEqual({ type: 'room', id: expect.any(String), roomId, members: [] });
    const a = await connect();
    await a.join(roomId);
    const noOffer = await visitor.next('room', visitor.send({ type: 'peek', roomId }));
    expect(noOffer.members).toHaveLength(1);
    expect(noOffer.offer).toBeUndefined();
    // An open deployment has no ticket to tie credentials to: a lobby without an offer gets none (see Relay.peek).
    expect(noOffer.iceServers).toBeUndefined();
    expect(noOffer.iceExpiresAt).toBeUndefined();
    a.send({ type: 'park', roomId, data: offer });
    await peekUntil(visitor, roomId, (answer) => answer.offer !== undefined);
    const b = await connect();
    await b.join(roomId);
    const full = await visitor.next('room', visitor.send({ type: 'peek', roomId }));
    expect(full.members).toHaveLength(2);
    expect(full.offer).toBeUndefined();
    expect(full.iceServers).toBeUndefined();
  });

  it('should refuse to park an offer for a room the socket holds no seat in, or anything but an offer', async () => {
    const { roomId } = await pair();
    const stranger = await connect();
    const parked = stranger.send({ type: 'park', roomId, data: offer });
    expect(await stranger.next('error', parked)).toMatchObject({ code: 'not-joined' });
    const c = await connect();
    const joinedC = await c.join(createRoomId());
    const answer = c.send({
      type: 'park',
      roomId: joinedC.roomId,
      data: { kind: 'description', description: { type: 'answer', sdp: 'v=0\r\n' } },
    } as never);
    expect(await c.next('error', answer)).toMatchObject({ code: 'bad-message' });
    const withCandidate = c.send({
      type: 'park',
      roomId: joinedC.roomId,
      data: { kind: 'candidate', candidate: null },
    } as never);
    expect(await c.next('error', withCandidate)).toMatchObject({ code: 'bad-message' });
    const peek = await stranger.next('room', stranger.send({ type: 'peek', roomId: joinedC.roomId }));
    expect(peek.offer).toBeUndefined();
  });
});

describe('when a member asks for TURN credentials', () => {
  it('should issue TURN REST credentials that verify against the shared secret', async () => {
    const { joinedA } = await pair();
    const turn = joinedA.iceServers.find((server) => server.username);
    const [expiry, member] = (turn?.username ?? '').split(':');
    expect(member).toBe(joinedA.memberId);
    expect(Number(expiry)).toBe(Math.floor(clock / 1000) + TURN_TTL_SECONDS);
    expect(joinedA.iceExpiresAt).toBe(Number(expiry) * 1000);
    const expected = createHmac('sha1', TURN_SECRET)
      .update(turn?.username ?? '')
      .digest('base64');
    expect(turn?.credential).toBe(expected);
  });

  it('should refresh them on request with a later expiry', async () => {
    const { a, joinedA } = await pair();
    clock += 60_000;
    const id = a.send({ type: 'turn-refresh' });
    const refreshed = await a.next('turn-credentials', id);
    expect(refreshed.iceExpiresAt).toBe(joinedA.iceExpiresAt + 60_000);
  });

  it('should refuse them to a socket without a seat', async () => {
    const stranger = await connect();
    const id = stranger.send({ type: 'turn-refresh' });
    expect(await stranger.next('error', id)).toMatchObject({ code: 'not-joined' });
  });
});

describe('when a signaling socket drops', () => {
  it('should give the seat back on resume without the other side seeing a leave or a join', async () => {
    const { roomId, a, b, joinedA, joinedB } = await pair();
    const seen = b.received.length;
    await system.gateway.dropConnection(system.gateway.connectionIds().find((id) => id === connectionOf(a)) ?? '');
    await waitUntil(async () =>
      (await roomItems(roomId)).some((item) => item.memberId === joinedA.memberId && !item.connectionId),
    );
    const again = await connect();
    const resumed = await again.join(roomId, { resume: { memberId: joinedA.memberId, token: joinedA.resumeToken } });
    expect(resumed).toMatchObject({ resumed: true, memberId: joinedA.memberId, role: 'impolite' });
    expect(resumed.members.map((m) => m.memberId)).toEqual([joinedB.memberId]);
    expect(await b.next('peer-resumed', undefined, seen)).toEqual({ type: 'peer-resumed', memberId: joinedA.memberId });
    const id = b.send({ type: 'signal', to: joinedA.memberId, data: { kind: 'candidate', candidate: null } });
    expect(await again.next('signal')).toMatchObject({ id, from: joinedB.memberId });
    const later = b.received.slice(seen).map((m) => m.type);
    expect(later).not.toContain('peer-left');
    expect(later).not.toContain('peer-joined');
  });

  it('should refuse signals to a member while it reconnects', async () => {
    const { roomId, a, b, joinedA } = await pair();
    await system.gateway.dropConnection(connectionOf(a));
    await waitUntil(async () =>
      (await roomItems(roomId)).some((item) => item.memberId === joinedA.memberId && !item.connectionId),
    );
    const id = b.send({ type: 'signal', to: joinedA.memberId, data: { kind: 'candidate', candidate: null } });
    expect(await b.next('error', id)).toMatchObject({ code: 'peer-unavailable' });
  });

  it('should free the seat and tell the other side when the member does not come back in time', async () => {
    const { roomId, a, b, joinedA } = await pair();
    await system.gateway.dropConnection(connectionOf(a));
    await waitUntil(async () =>
      (await roomItems(roomId)).some((item) => item.memberId === joinedA.memberId && !item.connectionId),
    );
    clock += (RESUME_GRACE_SECONDS + 1) * 1000;
    const ping = b.send({ type: 'ping' });
    await b.next('pong', ping);
    expect(await b.next('peer-left')).toEqual({ type: 'peer-left', memberId: joinedA.memberId, reason: 'expired' });
    const again = await connect();
    const late = await again.join(roomId, { resume: { memberId: joinedA.memberId, token: joinedA.resumeToken } });
    expect(late.resumed).toBe(false);
    expect(late.memberId).not.toBe(joinedA.memberId);
  });
});

describe('when a member vanished without $disconnect', () => {
  it('should hold its seat for the resume grace on GoneException, tell the sender to wait, and free it only after', async () => {
    const roomId = createRoomId();
    const b = await connect();
    const joinedB = await b.join(roomId);
    // A seat whose socket no longer exists, as a network blip leaves it before its $disconnect has run.
    await documents.send(
      new PutCommand({
        TableName: system.tableName,
        Item: {
          ...seatKey(roomId, 1),
          roomId,
          seat: 1,
          memberId: 'GhostGhostGhost0',
          role: 'polite',
          resumeHash: 'x',
          connectionId: 'Z2hvc3Rjb25uPQ=',
          joinedAt: clock,
          expiresAt: Math.floor(clock / 1000) + SEAT_LEASE_SECONDS,
        },
      }),
    );
    const id = b.send({ type: 'signal', to: 'GhostGhostGhost0', data: { kind: 'candidate', candidate: null } });
    expect(await b.next('error', id)).toMatchObject({ code: 'peer-unavailable' });
    const held = (await roomItems(roomId)).find((item) => item.memberId === 'GhostGhostGhost0');
    expect(held).toBeDefined();
    expect(held?.connectionId).toBeUndefined();
    expect(held?.expiresAt).toBe(Math.floor(clock / 1000) + RESUME_GRACE_SECONDS);
    expect(b.received.some((m) => m.type === 'peer-left')).toBe(false);
    // It did not come back: the next keepalive after the grace tells the sender it is gone for good.
    clock += (RESUME_GRACE_SECONDS + 1) * 1000;
    await b.sync();
    expect(await b.next('peer-left')).toEqual({ type: 'peer-left', memberId: 'GhostGhostGhost0', reason: 'expired' });
    expect((await roomItems(roomId)).map((item) => item.memberId)).toEqual([joinedB.memberId]);
  });

  it('should let a member whose socket dropped while the other signalled resume its seat', async () => {
    const { roomId, a, b, joinedB } = await pair();
    const bConnection = system.gateway.connectionIdOf(b.socket);
    expect(bConnection).toBeDefined();
    // B's network drops (no close frame) while A is in the middle of sending candidates.
    const sent = Array.from({ length: 20 }, (_, index) =>
      a.send({
        type: 'signal',
        roomId,
        to: joinedB.memberId,
        data: {
          kind: 'candidate',
          candidate: { candidate: `candidate:${index} 1 udp 1 192.0.2.1 ${9000 + index} typ host` },
        },
      }),
    );
    system.gateway.dropConnection(bConnection as string);
    // Once B's seat is unbound ($disconnect, or a relay that found the socket gone), every signal has been handled.
    const deadline = Date.now() + 5_000;
    while ((await roomItems(roomId)).some((item) => item.memberId === joinedB.memberId && item.connectionId)) {
      if (Date.now() > deadline) throw new Error("B's seat was never unbound");
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    await a.sync();
    expect(sent).toHaveLength(20);
    expect(a.received.filter((m) => m.type === 'peer-left')).toEqual([]);
    const again = await connect();
    const resumed = await again.join(roomId, { resume: { memberId: joinedB.memberId, token: joinedB.resumeToken } });
    expect(resumed.resumed).toBe(true);
    expect(await a.next('peer-resumed')).toEqual({ type: 'peer-resumed', memberId: joinedB.memberId });
  });

  it('should not let a ghost keep the room full', async () => {
    const roomId = createRoomId();
    const a = await connect();
    await a.join(roomId);
    await documents.send(
      new PutCommand({
        TableName: system.tableName,
        Item: {
          ...seatKey(roomId, 1),
          roomId,
          seat: 1,
          memberId: 'GhostGhostGhost1',
          role: 'polite',
          resumeHash: 'x',
          connectionId: 'Z2hvc3Rjb25uMT0=',
          joinedAt: clock,
          expiresAt: Math.floor(clock / 1000) + SEAT_LEASE_SECONDS,
        },
      }),
    );
    const b = await connect();
    const joinedB = await b.join(roomId);
    expect(joinedB.role).toBe('polite');
    expect(await a.next('peer-left')).toMatchObject({ memberId: 'GhostGhostGhost1', reason: 'gone' });
    expect(await a.next('peer-joined')).toMatchObject({ memberId: joinedB.memberId });
  });

  it('should ignore members past their expiry even while the item is still in the table', async () => {
    const roomId = createRoomId();
    for (const seat of [0, 1]) {
      await documents.send(
        new PutCommand({
          TableName: system.tableName,
          Item: {
            ...seatKey(roomId, seat),
            roomId,
            seat,
            memberId: `ExpiredMember00${seat}`,
            role: seat === 0 ? 'impolite' : 'polite',
            resumeHash: 'x',
            connectionId: `ZXhwaXJlZDA${seat}PQ=`,
            joinedAt: clock,
            expiresAt: Math.floor(clock / 1000) - 1,
          },
        }),
      );
    }
    const a = await connect();
    const joined = await a.join(roomId);
    expect(joined.members).toEqual([]);
    expect(joined.role).toBe('impolite');
  });
});

describe('when the handshake is refused by $connect', () => {
  it('should fail the WebSocket handshake with the status $connect answered', async () => {
    await expect(TestClient.connect(`${system.signalingUrl}?v=999`)).rejects.toMatchObject({ status: 400 });
  });
});

describe('when one join is delivered twice at once (as API Gateway may)', () => {
  it('should seat the socket once and answer the copy already-joined (never room-full), every time', async () => {
    for (let attempt = 0; attempt < 12; attempt++) {
      const roomId = createRoomId();
      // Every other time someone already waits, so the first copy takes the last seat.
      const waiting = attempt % 2 ? await (await connect()).join(roomId) : undefined;
      const client = await connect();
      const frame = JSON.stringify({ type: 'join', id: 'twice', v: PROTOCOL_VERSION, roomId });
      client.sendRaw(frame);
      client.sendRaw(frame);
      const joined = await client.next('joined', 'twice');
      expect(await client.next('error', 'twice')).toMatchObject({ code: 'already-joined' });
      expect(joined.members.map((member) => member.memberId)).toEqual(waiting ? [waiting.memberId] : []);
      await client.sync();
      const seats = await roomItems(roomId);
      expect(seats.map((seat) => seat.memberId).sort()).toEqual(
        [joined.memberId, ...(waiting ? [waiting.memberId] : [])].sort(),
      );
      expect(client.received.filter((message) => message.type === 'peer-joined')).toEqual([]);
    }
  });
});

describe('when twenty people race for an empty room', () => {
  it('should seat exactly two and tell the other eighteen the room is full', async () => {
    const roomId = createRoomId();
    const racers = await Promise.all(Array.from({ length: 20 }, connect));
    const answers = await Promise.all(
      racers.map(async (client) => {
        const id = client.send({ type: 'join', v: 1, roomId });
        return client.answerTo(id);
      }),
    );
    const seated = answers.filter((answer) => answer.type === 'joined');
    const full = answers.filter((answer) => answer.type === 'error' && answer.code === 'room-full');
    expect(seated).toHaveLength(2);
    expect(full).toHaveLength(18);
    const items = await roomItems(roomId);
    expect(items.map((item) => item.memberId).sort()).toEqual(
      seated.map((answer) => (answer.type === 'joined' ? answer.memberId : '')).sort(),
    );
    expect(items.map((item) => item.role).sort()).toEqual(['impolite', 'polite']);
    const snapshot = await tableSnapshot();
    const connectionItems = snapshot.filter((item) => String(item.pk).startsWith('conn#') && item.roomId === roomId);
    expect(connectionItems).toHaveLength(2);
  });
});

/** The gateway's id of a test client's socket (the stand-in knows which socket is which). */
function connectionOf(client: TestClient): string {
  const id = system.gateway.connectionIdOf(client.socket);
  if (!id) throw new Error('unknown socket');
  return id;
}

/** Polls a condition against real state with a deadline (not a sleep: it returns as soon as the state is there). */
async function waitUntil(condition: () => Promise<boolean>, timeoutMs = 5_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!(await condition())) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setImmediate(resolve));
  }
}

describe('when the network delays, reorders and duplicates every delivery', () => {
  it('should still deliver every message of a full negotiation exactly as it was sent', async () => {
    const { a, b, joinedA, joinedB } = await pair();
    const CANDIDATES = 20;
    const script = (who: string, first: 'offer' | 'answer') => [
      { kind: 'description' as const, description: { type: first, sdp: `v=0\r\ns=${who}\r\n` } },
      ...Array.from({ length: CANDIDATES }, (_, i) => ({
        kind: 'candidate' as const,
        candidate: {
          candidate: `candidate:${i} 1 udp ${1000 - i} 192.0.2.${i} ${5000 + i} typ host`,
          sdpMid: '0',
          sdpMLineIndex: 0,
        },
      })),
      { kind: 'candidate' as const, candidate: null },
    ];
    system.gateway.setChaos({ seed: 7, delayMs: 5, jitterMs: 60, duplicateProbability: 0.3, inbound: true });
    try {
      const fromA = new Map(
        script('a', 'offer').map((data) => [a.send({ type: 'signal', to: joinedB.memberId, data }), data]),
      );
      const fromB = new Map(
        script('b', 'answer').map((data) => [b.send({ type: 'signal', to: joinedA.memberId, data }), data]),
      );
      const receivedAll = async (client: TestClient, sent: Map<string, unknown>) => {
        await client.waitFor(
          (message): message is ServerMessage =>
            new Set(client.received.flatMap((m) => (m.type === 'signal' && m.id ? [m.id] : []))).size === sent.size,
          `all ${sent.size} signals`,
          0,
          15_000,
        );
        return client.received.filter((m) => m.type === 'signal');
      };
      const [atB, atA] = await Promise.all([receivedAll(b, fromA), receivedAll(a, fromB)]);
      for (const [received, sent, from] of [
        [atB, fromA, joinedA.memberId],
        [atA, fromB, joinedB.memberId],
      ] as const) {
        for (const message of received) {
          if (message.type !== 'signal') continue;
          expect(message.from).toBe(from);
          expect(message.data).toEqual(sent.get(message.id ?? ''));
        }
        expect(new Set(received.map((m) => (m.type === 'signal' ? m.id : '')))).toEqual(new Set(sent.keys()));
      }
      // The chaos really happened: some deliveries came twice and some out of order.
      const arrival = [...atB, ...atA].map((m) => (m.type === 'signal' ? m.id : ''));
      expect(arrival.length).toBeGreaterThan(fromA.size + fromB.size);
      const order = atB.map((m) => (m.type === 'signal' ? [...fromA.keys()].indexOf(m.id ?? '') : -1));
      expect(order.some((position, i) => i > 0 && position < (order[i - 1] ?? 0))).toBe(true);
      expect(a.invalid).toEqual([]);
      expect(b.invalid).toEqual([]);
    } finally {
      system.gateway.setChaos({});
    }
  });
});
