/**
 * Bad input and isolation: every bad message gets an error reply to its sender only, changes nothing in the table,
 * reaches nobody, and leaves the sender's socket and seat working.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DynamoDBDocumentClient, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { createRoomId, ERROR_CODES, MAX_MESSAGE_BYTES, type ServerMessage } from '@parley/protocol';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type LocalSystem, startLocalSystem } from './local-system';
import { TestClient } from './test-client';

let system: LocalSystem;
let documents: DynamoDBDocumentClient;
let attacker: TestClient;
let partner: TestClient;
let bystanders: TestClient[];
let attackerId: string;
let partnerId: string;
let roomId: string;
let otherRoomMembers: string[];
let otherRoom: string;

const valid = () => ({
  join: { type: 'join', v: 1, roomId: createRoomId() },
  signal: { type: 'signal', roomId, to: partnerId, data: { kind: 'candidate', candidate: null } },
  ping: { type: 'ping' },
  leave: { type: 'leave' },
  'turn-refresh': { type: 'turn-refresh' },
});

/** Hand-written bad messages: each must be answered with an error and change nothing. */
function corpus(): string[] {
  const huge = 'x'.repeat(MAX_MESSAGE_BYTES);
  const s = JSON.stringify;
  const signal = (data: unknown, to: unknown = partnerId) => s({ type: 'signal', to, data });
  return [
    '',
    ' ',
    '{',
    '}',
    'null',
    'true',
    '42',
    '"join"',
    '[]',
    '[{"type":"ping"}]',
    '{}',
    '{"type":null}',
    '{"type":1}',
    '{"type":["ping"]}',
    '{"type":"PING"}',
    '{"type":"hello"}',
    '{"type":"__proto__"}',
    '{"type":"constructor"}',
    '{"type":"joined"}',
    '{"type":"error","code":"internal","message":"x"}',
    '{"type":"ping","extra":1}',
    '{"type":"ping","id":""}',
    `{"type":"ping","id":"${'i'.repeat(65)}"}`,
    '{"type":"ping","id":7}',
    '{"type":"ping","__proto__":{"polluted":true}}',
    '{"type":"join"}',
    `{"type":"join","v":1}`,
    `{"type":"join","v":1,"roomId":"short"}`,
    `{"type":"join","v":1,"roomId":"${'a'.repeat(23)}"}`,
    `{"type":"join","v":1,"roomId":"${'a'.repeat(21)}/"}`,
    `{"type":"join","v":1,"roomId":"../../etc/passwd"}`,
    `{"type":"join","v":1,"roomId":"${roomId}"}`, // already seated: already-joined
    `{"type":"join","v":2,"roomId":"${createRoomId()}"}`,
    `{"type":"join","v":"1","roomId":"${createRoomId()}"}`,
    `{"type":"join","v":1,"roomId":"${createRoomId()}","name":${s('n'.repeat(41))}}`,
    `{"type":"join","v":1,"roomId":"${createRoomId()}","resume":{}}`,
    `{"type":"join","v":1,"roomId":"${createRoomId()}","resume":{"memberId":"x","token":"y"}}`,
    `{"type":"join","v":1,"roomId":${s(createRoomId())},"admin":true}`,
    signal({ kind: 'candidate', candidate: null }, null),
    signal({ kind: 'candidate', candidate: null }, attackerId),
    signal({ kind: 'candidate', candidate: null }, 'AAAAAAAAAAAAAAAA'),
    signal({ kind: 'candidate', candidate: null }, 'not-a-member-id!'),
    signal({ kind: 'candidate', candidate: null }, 12),
    signal({ kind: 'candidate', candidate: null }, `${partnerId}x`),
    signal({ kind: 'candidate' }),
    signal({ kind: 'candidate', candidate: 'candidate:1' }),
    signal({ kind: 'candidate', candidate: { candidate: 1 } }),
    signal({ kind: 'candidate', candidate: { candidate: 'c', sdpMLineIndex: -1 } }),
    signal({ kind: 'candidate', candidate: { candidate: 'c', sdpMLineIndex: 0.5 } }),
    signal({ kind: 'description' }),
    signal({ kind: 'description', description: { type: 'hello', sdp: 'v=0' } }),
    signal({ kind: 'description', description: { type: 'offer', sdp: 0 } }),
    signal({ kind: 'description', description: { type: 'offer', sdp: 'v=0', extra: 1 } }),
    signal({ kind: 'candidates', candidates: [] }),
    signal({ kind: 'candidates', candidates: [null] }),
    signal({ kind: 'candidates', candidates: Array.from({ length: 33 }, () => ({ candidate: 'c' })) }),
    signal({ kind: 'candidates', candidate: { candidate: 'c' } }),
    signal({ kind: 'media', stream: 'x' }),
    signal(null),
    signal('offer'),
    signal({ kind: 'description', description: { type: 'offer', sdp: huge } }),
    s({ type: 'signal', data: { kind: 'candidate', candidate: null } }),
    // A room the attacker has no seat in, named outright: refused before anyone in it is looked at.
    s({ type: 'signal', roomId: otherRoom, to: otherRoomMembers[0], data: { kind: 'candidate', candidate: null } }),
    s({ type: 'signal', roomId: otherRoom, to: partnerId, data: { kind: 'candidate', candidate: null } }),
    s({ type: 'signal', roomId: createRoomId(), to: partnerId, data: { kind: 'candidate', candidate: null } }),
    s({ type: 'signal', roomId: 'short', to: partnerId, data: { kind: 'candidate', candidate: null } }),
    s({ type: 'signal', roomId: `${roomId}x`, to: partnerId, data: { kind: 'candidate', candidate: null } }),
    s({ type: 'signal', roomId: null, to: partnerId, data: { kind: 'candidate', candidate: null } }),
    s({ type: 'signal', roomId: [roomId], to: partnerId, data: { kind: 'candidate', candidate: null } }),
    // Parking: only an offer, only in a room where this socket holds a seat; peeking: a well-formed room id.
    s({ type: 'park', roomId: otherRoom, data: { kind: 'description', description: { type: 'offer', sdp: 'v=0' } } }),
    s({ type: 'park', roomId, data: { kind: 'description', description: { type: 'answer', sdp: 'v=0' } } }),
    s({ type: 'park', roomId, data: { kind: 'candidate', candidate: null } }),
    s({ type: 'park', roomId, data: { kind: 'description', description: { type: 'offer' } } }),
    s({ type: 'park', roomId, to: partnerId, data: { kind: 'description', description: { type: 'offer', sdp: '' } } }),
    s({ type: 'park', data: { kind: 'description', description: { type: 'offer', sdp: 'v=0' } } }),
    s({ type: 'peek' }),
    s({ type: 'peek', roomId: 'short' }),
    s({ type: 'peek', roomId, members: [] }),
    s({ type: 'ping', id: huge }),
    s({ type: 'leave', id: 'x', roomId }),
    s({ type: 'turn-refresh', memberId: partnerId }),
    '\u0000',
    '\ud800',
    '{"type":"ping"}{"type":"ping"}',
  ];
}

async function tableSnapshot() {
  const result = await documents.send(new ScanCommand({ TableName: system.tableName, ConsistentRead: true }));
  return (result.Items ?? []).sort((x, y) => `${x.pk}${x.sk}`.localeCompare(`${y.pk}${y.sk}`));
}

/** Sends one bad frame and returns the error it was answered with. */
async function sendBad(raw: string): Promise<ServerMessage> {
  const before = attacker.received.length;
  attacker.sendRaw(raw);
  return attacker.waitFor(
    (message): message is ServerMessage => message.type === 'error' || message.type === 'joined',
    `an answer to ${raw.slice(0, 80)}`,
    before,
  );
}

beforeAll(async () => {
  system = await startLocalSystem({
    access: 'open',
    turn: 'off',
    turnSecret: 'hostile',
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
  roomId = createRoomId();
  attacker = await TestClient.connect(system.signalingUrl);
  partner = await TestClient.connect(system.signalingUrl);
  attackerId = (await attacker.join(roomId)).memberId;
  partnerId = (await partner.join(roomId)).memberId;
  otherRoom = createRoomId();
  bystanders = [await TestClient.connect(system.signalingUrl), await TestClient.connect(system.signalingUrl)];
  otherRoomMembers = [];
  for (const bystander of bystanders) otherRoomMembers.push((await bystander.join(otherRoom)).memberId);
  await attacker.next('peer-joined');
  await bystanders[0]?.next('peer-joined');
});

afterAll(async () => {
  await Promise.all([attacker, partner, ...bystanders].map((client) => client?.close()));
  await system?.stop();
});

/** After the attack: nothing reached anyone, nothing changed, and the attacker's seat still works. */
async function expectNothingChanged(before: Awaited<ReturnType<typeof tableSnapshot>>, partnerSeen: number) {
  expect(await tableSnapshot()).toEqual(before);
  for (const bystander of bystanders) await bystander.sync();
  await partner.sync();
  expect(partner.received.slice(partnerSeen).map((message) => message.type)).toEqual(['pong']);
  for (const bystander of bystanders) expect(bystander.received.every((m) => m.type !== 'signal')).toBe(true);
  expect(attacker.closed).toBeUndefined();
  // Both forms still relay: naming the room (one Query), and without it (a page from before the field existed).
  const named = attacker.send({ type: 'signal', roomId, to: partnerId, data: { kind: 'candidate', candidate: null } });
  expect(await partner.next('signal', named)).toMatchObject({ from: attackerId });
  const id = attacker.send({ type: 'signal', to: partnerId, data: { kind: 'candidate', candidate: null } });
  expect(await partner.next('signal', id)).toMatchObject({ from: attackerId });
}

describe('when a member sends hand-written bad messages', () => {
  it('should answer each of at least 50 with an error and change nothing', async () => {
    const messages = corpus();
    expect(messages.length).toBeGreaterThanOrEqual(50);
    const before = await tableSnapshot();
    const partnerSeen = partner.received.length;
    for (const raw of messages) {
      const answer = await sendBad(raw);
      expect(answer.type, raw.slice(0, 100)).toBe('error');
      if (answer.type === 'error') expect(ERROR_CODES).toContain(answer.code);
    }
    await expectNothingChanged(before, partnerSeen);
  });
});

describe('when a member sends generated bad messages', () => {
  it('should answer each of 1,000 with an error and change nothing', async () => {
    const kinds = Object.keys(valid()) as Array<keyof ReturnType<typeof valid>>;
    const notJson = fc.string({ maxLength: 200 }).filter((text) => {
      try {
        JSON.parse(text);
        return false;
      } catch {
        return true;
      }
    });
    const notObject = fc.oneof(
      fc.integer(),
      fc.double(),
      fc.boolean(),
      fc.constant(null),
      fc.string(),
      fc.array(fc.jsonValue()),
    );
    // A valid message broken on purpose: a field retyped, an unknown field added, or a required one removed.
    const broken = fc
      .tuple(fc.constantFrom(...kinds), fc.jsonValue(), fc.string({ minLength: 1, maxLength: 12 }), fc.nat())
      .map(([kind, junk, key, pick]) => {
        const message: Record<string, unknown> = { ...valid()[kind] };
        const fields = Object.keys(message);
        switch (pick % 3) {
          case 0:
            message[`x_${key}`] = junk;
            break;
          case 1: {
            const field = fields[pick % fields.length] as string;
            message[field] = field === 'type' ? `${String(message.type)}!` : { junk };
            break;
          }
          default:
            message.type = `${key}-not-a-type`;
        }
        return message;
      });
    const inputs = fc.sample(
      fc.oneof(
        notJson,
        notObject.map((value) => JSON.stringify(value)),
        broken.map((value) => JSON.stringify(value)),
      ),
      { numRuns: 1000, seed: 20261125 },
    );
    const before = await tableSnapshot();
    const partnerSeen = partner.received.length;
    const codes = new Map<string, number>();
    for (const raw of inputs) {
      const answer = await sendBad(raw);
      expect(answer.type, raw.slice(0, 100)).toBe('error');
      if (answer.type === 'error') codes.set(answer.code, (codes.get(answer.code) ?? 0) + 1);
    }
    expect(inputs).toHaveLength(1000);
    expect([...codes.keys()].sort()).toEqual(expect.arrayContaining(['bad-json', 'bad-message', 'unknown-type']));
    await expectNothingChanged(before, partnerSeen);
  });
});

describe('when a member of one room addresses members of another', () => {
  it('should refuse every id it can craft and deliver nothing', async () => {
    const before = await tableSnapshot();
    const partnerSeen = partner.received.length;
    const targets = [...otherRoomMembers, attackerId, 'AAAAAAAAAAAAAAAA', '________________'];
    for (const to of targets) {
      for (const named of [{}, { roomId }]) {
        const id = attacker.send({ type: 'signal', ...named, to, data: { kind: 'candidate', candidate: null } });
        expect(await attacker.next('error', id)).toMatchObject({ code: 'unknown-peer' });
      }
    }
    await expectNothingChanged(before, partnerSeen);
  });

  it('should refuse a signal that names a room the sender has no seat in, to the sender only', async () => {
    const before = await tableSnapshot();
    const partnerSeen = partner.received.length;
    const bystanderSeen = bystanders.map((bystander) => bystander.received.length);
    for (const to of [...otherRoomMembers, partnerId]) {
      for (const claimed of [otherRoom, createRoomId()]) {
        const id = attacker.send({ type: 'signal', roomId: claimed, to, data: { kind: 'candidate', candidate: null } });
        expect(await attacker.next('error', id)).toMatchObject({ code: 'not-joined', ref: id });
      }
    }
    await expectNothingChanged(before, partnerSeen);
    bystanders.forEach((bystander, i) => {
      expect(bystander.received.slice(bystanderSeen[i]).map((message) => message.type)).toEqual(['pong']);
    });
  });
});
