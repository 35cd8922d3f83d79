/**
 * Load: many rooms negotiate at once through the API Gateway stand-in and the real handlers on dynalite. Every
 * relayed signal is checked against what its sender sent: nothing may be lost, misrouted or duplicated.
 *
 * Usage: tsx packages/local/bench/load.ts [rooms]   (default 500 rooms, 2 clients each)
 */
import { spawnSync } from 'node:child_process';
import { performance } from 'node:perf_hooks';
import { isDeepStrictEqual } from 'node:util';
import { createRoomId, ROOM_CAPACITY, type SignalPayload } from '@parley/protocol';
import type WebSocket from 'ws';
import { startLocalSystem } from '../src/local-system';
import { TestClient } from '../src/test-client';
import { formatMs, markdownTable, percentile } from './stats';

const DEFAULT_ROOMS = 500;
/** ICE candidates each side trickles after its description. */
const CANDIDATES_EACH_WAY = 20;
/** Sockets opened (or closed) at once: a burst of a thousand handshakes would only measure the listen backlog. */
const SOCKET_WAVE = 100;
/** Rooms joining at once (each join is several conditional writes and queries). */
const JOIN_WAVE = 25;
/** How long all rooms together may take to finish negotiating before what is missing counts as lost. */
const NEGOTIATION_DEADLINE_MS = 480_000;
/**
 * On AWS every invocation runs in its own Lambda; here all of them queue in this one process on this machine's cores,
 * so a burst of 21,000 signals waits longer than API Gateway's 29 s integration timeout for the local CPU, not for
 * the design. The stand-in still answers a timed-out request with an error frame, so the timeout is lifted here.
 */
const LOCAL_INTEGRATION_TIMEOUT_MS = NEGOTIATION_DEADLINE_MS;
/** File descriptors the process needs beyond its sockets (dynalite, SDK connection pools, stdio, modules). */
const SPARE_DESCRIPTORS = 256;

type Side = 'impolite' | 'polite';

/** What one side sent, by request id, so the receiving side can check each signal against it. */
interface SentSignal {
  room: number;
  side: Side;
  data: SignalPayload;
  sentAt: number;
}

interface Tally {
  delivered: number;
  misrouted: number;
  duplicates: number;
  errors: number;
  latenciesMs: number[];
}

/** One party of a room. */
interface Party {
  room: number;
  /** The room's id, which the client names in each signal as the app does. */
  roomId: string;
  side: Side;
  client: TestClient;
  memberId: string;
  /** Request ids of the signals received so far (to spot duplicates). */
  received: Set<string>;
}

function descriptorLimit(): number {
  const result = spawnSync('sh', ['-c', 'ulimit -n'], { encoding: 'utf8' });
  const text = result.stdout.trim();
  return text === 'unlimited' ? Number.POSITIVE_INFINITY : Number(text);
}

/** The signals one side sends: its description (offer or answer), then its candidates. */
function script(room: number, side: Side): { id: string; data: SignalPayload }[] {
  const tag = `${room}-${side}`;
  const description: SignalPayload = {
    kind: 'description',
    description: {
      type: side === 'impolite' ? 'offer' : 'answer',
      sdp: `v=0\r\no=- ${room} 2 IN IP4 127.0.0.1\r\ns=${tag}\r\nt=0 0\r\na=group:BUNDLE 0\r\n`,
    },
  };
  const candidates = Array.from({ length: CANDIDATES_EACH_WAY }, (_, index) => ({
    id: `${tag}-c${index}`,
    data: {
      kind: 'candidate',
      candidate: {
        candidate: `candidate:${index} 1 udp 2122260223 192.0.2.${index + 1} ${50000 + room} typ host`,
        sdpMid: '0',
        sdpMLineIndex: 0,
        usernameFragment: tag,
      },
    } satisfies SignalPayload,
  }));
  return [{ id: `${tag}-d`, data: description }, ...candidates];
}

/** Runs `run` over `items`, SOCKET_WAVE at a time. */
async function inWaves<T, R>(items: T[], run: (item: T) => Promise<R>, wave = SOCKET_WAVE): Promise<R[]> {
  const results: R[] = [];
  for (let start = 0; start < items.length; start += wave) {
    results.push(...(await Promise.all(items.slice(start, start + wave).map(run))));
  }
  return results;
}

async function main(): Promise<void> {
  const rooms = Number(process.argv[2] ?? DEFAULT_ROOMS);
  if (!Number.isInteger(rooms) || rooms < 1)
    throw new Error(`rooms must be a positive whole number: ${process.argv[2]}`);
  const clients = rooms * ROOM_CAPACITY;
  // Clients and gateway share this process: each connection costs two descriptors here.
  const needed = 2 * clients + SPARE_DESCRIPTORS;
  const limit = descriptorLimit();
  console.error(`file descriptors: limit ${limit} (ulimit -n), needed about ${needed} for ${clients} clients`);
  if (limit < needed) {
    throw new Error(
      `ulimit -n is ${limit}, too low for ${clients} clients and their gateway sockets in one process ` +
        `(about ${needed}); raise it (e.g. \`ulimit -n 4096\`) and run again`,
    );
  }

  const started = performance.now();
  const system = await startLocalSystem({
    // Relay throughput, the same in both access modes (a ticket is checked once per connect, not per message).
    access: 'open',
    turn: 'off',
    site: false,
    logLevel: 'SILENT',
    limits: { integrationTimeoutMs: LOCAL_INTEGRATION_TIMEOUT_MS },
  });
  const tally: Tally = { delivered: 0, misrouted: 0, duplicates: 0, errors: 0, latenciesMs: [] };
  const sent = new Map<string, SentSignal>();
  let connectMs = 0;
  let joinMs = 0;
  let negotiationMs = 0;
  let sockets: TestClient[] = [];
  try {
    const connectStarted = performance.now();
    sockets = await inWaves(
      Array.from({ length: clients }, (_, index) => index),
      () => TestClient.connect(system.signalingUrl),
    );
    connectMs = performance.now() - connectStarted;

    const joinStarted = performance.now();
    // Joining is setup, not the load under test: waves keep each join within the test client's answer deadline.
    const pairs = await inWaves(
      Array.from({ length: rooms }, (_, room) => room),
      async (room) => {
        const roomId = createRoomId();
        const first = sockets[2 * room] as TestClient;
        const second = sockets[2 * room + 1] as TestClient;
        const firstJoined = await first.join(roomId);
        const secondJoined = await second.join(roomId);
        // The first member learns about the second from `peer-joined`, as a real client does.
        await first.next('peer-joined');
        if (firstJoined.role !== 'impolite' || secondJoined.role !== 'polite') {
          throw new Error(`room ${room}: roles ${firstJoined.role}/${secondJoined.role}`);
        }
        const party = (client: TestClient, side: Side, memberId: string): Party => ({
          room,
          roomId,
          side,
          client,
          memberId,
          received: new Set(),
        });
        return [
          party(first, 'impolite', firstJoined.memberId),
          party(second, 'polite', secondJoined.memberId),
        ] as const;
      },
      JOIN_WAVE,
    );
    joinMs = performance.now() - joinStarted;

    const expectedPerSide = 1 + CANDIDATES_EACH_WAY;
    const negotiationStarted = performance.now();
    let finishedRooms = 0;
    const allDone = new Promise<void>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`${rooms - finishedRooms} rooms unfinished after ${NEGOTIATION_DEADLINE_MS} ms`)),
        NEGOTIATION_DEADLINE_MS,
      );
      const roomDone = () => {
        finishedRooms++;
        if (finishedRooms === rooms) {
          clearTimeout(timer);
          resolve();
        }
      };

      const sendAll = (from: Party, to: Party) => {
        for (const { id, data } of script(from.room, from.side)) {
          sent.set(id, { room: from.room, side: from.side, data, sentAt: performance.now() });
          from.client.send({ type: 'signal', id, roomId: from.roomId, to: to.memberId, data });
        }
      };

      for (const [impolite, polite] of pairs) {
        let sidesDone = 0;
        const listen = (me: Party, peer: Party) => {
          const onMessage = (raw: WebSocket.RawData) => {
            const arrivedAt = performance.now();
            const message = JSON.parse(raw.toString()) as { type: string; id?: string; from?: string; data?: unknown };
            if (message.type === 'error') {
              tally.errors++;
              return;
            }
            if (message.type !== 'signal') return;
            const original = message.id === undefined ? undefined : sent.get(message.id);
            const fromPeer =
              original !== undefined &&
              original.room === peer.room &&
              original.side === peer.side &&
              message.from === peer.memberId &&
              isDeepStrictEqual(message.data, original.data);
            if (!fromPeer || message.id === undefined || original === undefined) {
              tally.misrouted++;
              return;
            }
            if (me.received.has(message.id)) {
              tally.duplicates++;
              return;
            }
            me.received.add(message.id);
            tally.delivered++;
            tally.latenciesMs.push(arrivedAt - original.sentAt);
            // The polite side answers once the offer is in, then trickles its own candidates.
            if (me.side === 'polite' && original.data.kind === 'description') sendAll(me, peer);
            // Listening goes on after this: a late duplicate must still be counted.
            if (me.received.size === expectedPerSide && ++sidesDone === ROOM_CAPACITY) roomDone();
          };
          me.client.socket.on('message', onMessage);
        };
        listen(impolite, polite);
        listen(polite, impolite);
      }
      for (const [impolite, polite] of pairs) sendAll(impolite, polite);
    });
    await allDone.catch((error: Error) => console.error(error.message));
    negotiationMs = performance.now() - negotiationStarted;
    tally.errors += sockets.reduce((sum, client) => sum + client.invalid.length, 0);
  } finally {
    await inWaves(sockets, (client) => client.close());
    await system.stop();
  }
  const totalMs = performance.now() - started;

  const expected = rooms * ROOM_CAPACITY * (1 + CANDIDATES_EACH_WAY);
  const lost = expected - tally.delivered;
  console.log(
    markdownTable(
      [
        'rooms × clients',
        'signals',
        'lost',
        'misrouted',
        'duplicated',
        'errors',
        'p50',
        'p99',
        'negotiation',
        'total (connect + join + negotiate + close)',
      ],
      [
        [
          `${rooms} × ${ROOM_CAPACITY}`,
          expected.toLocaleString('en-US'),
          String(lost),
          String(tally.misrouted),
          String(tally.duplicates),
          String(tally.errors),
          formatMs(percentile(tally.latenciesMs, 0.5)),
          formatMs(percentile(tally.latenciesMs, 0.99)),
          `${(negotiationMs / 1000).toFixed(1)} s`,
          `${(totalMs / 1000).toFixed(1)} s`,
        ],
      ],
    ),
  );
  console.log('');
  console.log(
    `Each room: offer, answer and ${CANDIDATES_EACH_WAY} candidates each way, all rooms at once; every received ` +
      'signal checked against its sender, room and content. Latency = send → receipt of each signal. ' +
      `Connect ${(connectMs / 1000).toFixed(1)} s, join ${(joinMs / 1000).toFixed(1)} s; ` +
      `${Math.round(tally.delivered / (negotiationMs / 1000))} signals/s through one local process ` +
      `(integration timeout lifted to ${LOCAL_INTEGRATION_TIMEOUT_MS / 1000} s, see source). ` +
      `File descriptors: ulimit -n ${limit}, about ${needed} needed.`,
  );
  if (lost > 0 || tally.misrouted > 0 || tally.duplicates > 0 || tally.errors > 0) process.exit(1);
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
