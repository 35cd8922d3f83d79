/**
 * Relay cost: DynamoDB requests per relayed signal and relay latency (sender's send → receiver's receipt, real `ws`
 * clients through the API Gateway stand-in) as the table fills with unrelated members, for our room-scoped design
 * and for a Scan-and-broadcast baseline on the same dynalite and the same seeded table.
 *
 * Usage: tsx packages/local/bench/relay-cost.ts [members…]   (default: 10 10000 100000)
 */
import { createHash, randomBytes } from 'node:crypto';
import { performance } from 'node:perf_hooks';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { BatchWriteCommand, DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import {
  API_GATEWAY_LIMITS,
  createRoomId,
  PROTOCOL_VERSION,
  ROOM_CAPACITY,
  randomToken,
  SEAT_LEASE_SECONDS,
} from '@parley/protocol';
import { connectionKey, seatKey } from '@parley/signaling';
import type WebSocket from 'ws';
import { awsStyleId } from '../src/aws-ids';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../src/dynamodb';
import { type LocalSystem, startLocalSystem } from '../src/local-system';
import { TestClient } from '../src/test-client';
import { type ScanBroadcastService, startScanBroadcastService } from './scan-broadcast';
import { countsSince, formatMs, markdownTable, percentile } from './stats';

/** Unrelated members in the table at each measurement, smallest first (the ratio compares largest to smallest). */
const DEFAULT_SIZES = [10, 10_000, 100_000];
/** Signals relayed one after another per size for our design, after the warm-up. */
const MESSAGES = 200;
/** Signals sent and not measured first at each size: JIT, sockets and caches settle. */
const WARMUP_MESSAGES = 300;
/**
 * Messages per size for the baseline. Each one Scans the whole table and posts to every connection in it, so at large
 * sizes one message takes seconds: fewer messages keep the whole benchmark within minutes on 2 cores.
 */
const BASELINE_MESSAGES = (members: number): number => (members <= 1_000 ? MESSAGES : members <= 10_000 ? 5 : 1);
/** The baseline is warmed up at the small sizes; at large ones a warm-up message would cost as much as a sample. */
const BASELINE_WARMUP_MESSAGES = (members: number): number => (members <= 1_000 ? WARMUP_MESSAGES : 0);
/** DynamoDB's BatchWriteItem limit. */
const BATCH_WRITE_ITEMS = 25;
/** BatchWrite requests in flight while seeding. */
const SEED_CONCURRENCY = 8;
/** How long one relayed message may take before the benchmark gives up (the baseline at 100,000 needs long). */
const RECEIPT_DEADLINE_MS = 300_000;
/** The goal: p50 at the largest size within this factor of p50 at the smallest. */
const P50_RATIO_GOAL = 1.2;
/** Connection items outlive the longest connection, as the service writes them. */
const CONNECTION_RECORD_TTL_SECONDS = API_GATEWAY_LIMITS.maxConnectionMs / 1000 + 60;

interface Measurement {
  members: number;
  design: string;
  messages: number;
  requestsPerMessage: number;
  /** Requests per message by operation, e.g. `GetItem 1, Query 1`. */
  breakdown: string;
  latenciesMs: number[];
  /** What only the baseline reports: its fan-out, how long a whole broadcast takes, and how often it overran. */
  baseline?: { postsPerMessage: number; broadcastP50Ms: number; integrationTimeouts: number; failedPosts: number };
}

const OUR_DESIGN = 'room-scoped (ours)';
const BASELINE_DESIGN = 'Scan + broadcast';

/** One member of some other room, as the service stores it: its seat item and its connection item. */
function memberItems(roomId: string, seat: number, nowSeconds: number): Record<string, unknown>[] {
  const memberId = randomToken(12);
  const connectionId = awsStyleId();
  const resumeHash = createHash('sha256').update(randomBytes(16)).digest('hex');
  return [
    {
      ...seatKey(roomId, seat),
      roomId,
      seat,
      memberId,
      role: seat === 0 ? 'impolite' : 'polite',
      resumeHash,
      connectionId,
      joinedAt: nowSeconds * 1000,
      expiresAt: nowSeconds + SEAT_LEASE_SECONDS,
    },
    {
      ...connectionKey(connectionId),
      connectionId,
      roomId,
      seat,
      memberId,
      expiresAt: nowSeconds + CONNECTION_RECORD_TTL_SECONDS,
    },
  ];
}

/** Adds members `from` … `to - 1` (two to a room) with BatchWrite, 25 items per request. */
async function seedMembers(doc: DynamoDBDocumentClient, tableName: string, from: number, to: number): Promise<void> {
  const nowSeconds = Math.floor(Date.now() / 1000);
  const items: Record<string, unknown>[] = [];
  let roomId = createRoomId();
  for (let member = from; member < to; member++) {
    if (member % ROOM_CAPACITY === 0) roomId = createRoomId();
    items.push(...memberItems(roomId, member % ROOM_CAPACITY, nowSeconds));
  }
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      let batch = items.slice(next, next + BATCH_WRITE_ITEMS).map((Item) => ({ PutRequest: { Item } }));
      next += BATCH_WRITE_ITEMS;
      while (batch.length > 0) {
        const result = await doc.send(new BatchWriteCommand({ RequestItems: { [tableName]: batch } }));
        batch = (result.UnprocessedItems?.[tableName] ?? []) as typeof batch;
      }
    }
  };
  await Promise.all(Array.from({ length: SEED_CONCURRENCY }, worker));
}

/** Resolves with the time the first text frame matching `match` arrives on `socket`. */
function receipt(socket: WebSocket, match: (text: string) => boolean, what: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const onMessage = (data: WebSocket.RawData) => {
      if (!match(data.toString())) return;
      const at = performance.now();
      clearTimeout(timer);
      socket.off('message', onMessage);
      resolve(at);
    };
    const timer = setTimeout(() => {
      socket.off('message', onMessage);
      reject(new Error(`no ${what} within ${RECEIPT_DEADLINE_MS} ms`));
    }, RECEIPT_DEADLINE_MS);
    socket.on('message', onMessage);
  });
}

function describeCounts(delta: Record<string, number>, messages: number): { total: number; breakdown: string } {
  const total = Object.values(delta).reduce((sum, count) => sum + count, 0) / messages;
  const breakdown = Object.entries(delta)
    .sort(([a], [b]) => a.localeCompare(b))
    .map(([operation, count]) => `${operation} ${+(count / messages).toFixed(2)}`)
    .join(', ');
  return { total, breakdown };
}

/** A sender and a receiver, connected once and kept for every size, so no join or disconnect runs while measuring. */
interface Pair {
  sender: TestClient;
  receiver: TestClient;
  senderMemberId?: string;
  receiverMemberId?: string;
  roomId?: string;
}

async function connectPair(url: string): Promise<Pair> {
  const [sender, receiver] = await Promise.all([TestClient.connect(url), TestClient.connect(url)]);
  return { sender, receiver };
}

/** Two members of one fresh room. */
async function joinedPair(system: LocalSystem): Promise<Pair> {
  const pair = await connectPair(system.signalingUrl);
  const roomId = createRoomId();
  pair.roomId = roomId;
  pair.senderMemberId = (await pair.sender.join(roomId)).memberId;
  pair.receiverMemberId = (await pair.receiver.join(roomId)).memberId;
  return pair;
}

/** Our design: the signal names its room (as the app's do), so one Query on that room and one post to the peer. */
async function measureRoomService(system: LocalSystem, pair: Pair, members: number): Promise<Measurement> {
  const { sender, receiver, senderMemberId, receiverMemberId, roomId } = pair;
  if (!senderMemberId || !receiverMemberId || !roomId) throw new Error('the pair has not joined a room');
  // The keepalive renews both seats' leases (a full run outlasts one), before anything is counted.
  await Promise.all([sender.sync(), receiver.sync()]);
  const latenciesMs: number[] = [];
  let before = system.dynamodbRequestCounts();
  for (let i = 0; i < WARMUP_MESSAGES + MESSAGES; i++) {
    if (i === WARMUP_MESSAGES) before = system.dynamodbRequestCounts();
    const id = `relay-${members}-${i}`;
    const arrived = receipt(
      receiver.socket,
      (text) => {
        const message = JSON.parse(text) as { type?: string; id?: string; from?: string };
        return message.type === 'signal' && message.id === id && message.from === senderMemberId;
      },
      `signal ${id}`,
    );
    const sentAt = performance.now();
    sender.send({
      type: 'signal',
      id,
      roomId,
      to: receiverMemberId,
      data: {
        kind: 'candidate',
        candidate: { candidate: `candidate:${i} 1 udp 2122260223 192.0.2.1 ${40000 + i} typ host`, sdpMid: '0' },
      },
    });
    const arrivedAt = await arrived;
    if (i >= WARMUP_MESSAGES) latenciesMs.push(arrivedAt - sentAt);
  }
  const { total, breakdown } = describeCounts(countsSince(before, system.dynamodbRequestCounts()), MESSAGES);
  return { members, design: OUR_DESIGN, messages: MESSAGES, requestsPerMessage: total, breakdown, latenciesMs };
}

/** The baseline: every message Scans the table and posts to every connection found. */
async function measureScanBroadcast(
  system: LocalSystem,
  baseline: ScanBroadcastService,
  pair: Pair,
  members: number,
): Promise<Measurement> {
  const { sender, receiver } = pair;
  const messages = BASELINE_MESSAGES(members);
  const warmup = BASELINE_WARMUP_MESSAGES(members);
  const latenciesMs: number[] = [];
  const broadcastsMs: number[] = [];
  let before = system.dynamodbRequestCounts();
  let postsBefore = baseline.posts();
  let timeoutsBefore = baseline.integrationTimeouts();
  const failedBefore = baseline.failedPosts();
  for (let i = 0; i < warmup + messages; i++) {
    if (i === warmup) {
      before = system.dynamodbRequestCounts();
      postsBefore = baseline.posts();
      timeoutsBefore = baseline.integrationTimeouts();
    }
    const data = `broadcast-${members}-${i}`;
    const arrived = receipt(receiver.socket, (text) => text === data, `broadcast ${data}`);
    const sentAt = performance.now();
    sender.socket.send(JSON.stringify({ action: 'sendmessage', data }));
    const arrivedAt = await arrived;
    // The next message starts on an idle service, as each of ours does.
    await baseline.settled();
    if (i >= warmup) {
      latenciesMs.push(arrivedAt - sentAt);
      broadcastsMs.push(performance.now() - sentAt);
    }
  }
  const { total, breakdown } = describeCounts(countsSince(before, system.dynamodbRequestCounts()), messages);
  return {
    members,
    design: BASELINE_DESIGN,
    messages,
    requestsPerMessage: total,
    breakdown,
    latenciesMs,
    baseline: {
      postsPerMessage: (baseline.posts() - postsBefore) / messages,
      broadcastP50Ms: percentile(broadcastsMs, 0.5),
      integrationTimeouts: baseline.integrationTimeouts() - timeoutsBefore,
      failedPosts: baseline.failedPosts() - failedBefore,
    },
  };
}

function parseSizes(args: string[]): number[] {
  if (args.length === 0) return DEFAULT_SIZES;
  const sizes = args.map(Number);
  if (sizes.some((size) => !Number.isInteger(size) || size < 0)) {
    throw new Error(`sizes must be whole numbers of members, got: ${args.join(' ')}`);
  }
  return [...sizes].sort((a, b) => a - b);
}

async function main(): Promise<void> {
  const sizes = parseSizes(process.argv.slice(2));
  const started = performance.now();
  const system = await startLocalSystem({ access: 'open', turn: 'off', site: false, logLevel: 'SILENT' });
  const baseline = await startScanBroadcastService({
    tableName: system.tableName,
    dynamodbEndpoint: system.dynamodbEndpoint,
  });
  const dynamodb = new DynamoDBClient({
    endpoint: system.dynamodbEndpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const doc = DynamoDBDocumentClient.from(dynamodb);
  const results: Measurement[] = [];
  const pairs: Pair[] = [];
  try {
    const ours = await joinedPair(system);
    pairs.push(ours);
    const theirs = await connectPair(baseline.url);
    pairs.push(theirs);
    let seeded = 0;
    for (const members of sizes) {
      const seedStarted = performance.now();
      await seedMembers(doc, system.tableName, seeded, members);
      console.error(
        `seeded ${members.toLocaleString('en-US')} members (${(2 * members).toLocaleString('en-US')} items) ` +
          `in ${((performance.now() - seedStarted) / 1000).toFixed(1)} s`,
      );
      seeded = members;
      for (const measure of [
        () => measureRoomService(system, ours, members),
        () => measureScanBroadcast(system, baseline, theirs, members),
      ]) {
        const measureStarted = performance.now();
        const result = await measure();
        results.push(result);
        console.error(
          `  ${result.design}: ${result.messages} messages in ${((performance.now() - measureStarted) / 1000).toFixed(1)} s`,
        );
      }
    }
  } finally {
    await Promise.all(pairs.flatMap(({ sender, receiver }) => [sender.close(), receiver.close()]));
    dynamodb.destroy();
    await baseline.stop();
    await system.stop();
  }
  printReport(results, sizes, performance.now() - started);
}

function printReport(results: Measurement[], sizes: number[], elapsedMs: number): void {
  const rows = results.map((result) => [
    result.members.toLocaleString('en-US'),
    result.design,
    `${+result.requestsPerMessage.toFixed(2)} (${result.breakdown})`,
    formatMs(percentile(result.latenciesMs, 0.5)),
    formatMs(percentile(result.latenciesMs, 0.99)),
    String(result.messages),
  ]);
  console.log(
    markdownTable(['members in table', 'design', 'DynamoDB requests/message', 'p50', 'p99', 'messages'], rows),
  );
  console.log('');

  const ours = results.filter((result) => result.design === OUR_DESIGN);
  const smallest = ours[0];
  const largest = ours[ours.length - 1];
  if (smallest && largest && smallest !== largest) {
    const ratio = percentile(largest.latenciesMs, 0.5) / percentile(smallest.latenciesMs, 0.5);
    const verdict = ratio <= P50_RATIO_GOAL ? 'met' : 'NOT met';
    console.log(
      `ours: p50(${largest.members.toLocaleString('en-US')}) / p50(${smallest.members.toLocaleString('en-US')}) = ` +
        `${ratio.toFixed(2)} (goal ≤ ${P50_RATIO_GOAL}: ${verdict})`,
    );
  }
  const requestCounts = new Set(ours.map((result) => result.requestsPerMessage));
  console.log(
    `ours: DynamoDB requests/message ${requestCounts.size === 1 ? 'constant' : 'NOT constant'} across sizes ` +
      `(${[...requestCounts].join(', ')})`,
  );
  for (const { members, baseline } of results) {
    if (!baseline) continue;
    const overran =
      baseline.integrationTimeouts > 0
        ? `; ${baseline.integrationTimeouts} ran past API Gateway's ${API_GATEWAY_LIMITS.integrationTimeoutMs / 1000} s ` +
          'integration timeout'
        : '';
    const failed = baseline.failedPosts > 0 ? `; ${baseline.failedPosts} posts failed (not GoneException)` : '';
    console.log(
      `baseline at ${members.toLocaleString('en-US')}: ${baseline.postsPerMessage.toLocaleString('en-US')} ` +
        `PostToConnection calls per message (one per connection in the table), a whole broadcast takes ` +
        `${formatMs(baseline.broadcastP50Ms)}${overran}${failed}`,
    );
  }
  const reduced = sizes.filter((size) => BASELINE_MESSAGES(size) < MESSAGES);
  if (reduced.length > 0) {
    console.log(
      `note: the baseline sends fewer messages at ${reduced.map((size) => size.toLocaleString('en-US')).join(', ')} ` +
        `members (${reduced.map((size) => BASELINE_MESSAGES(size)).join(', ')}) so the benchmark ends within ` +
        'minutes; with so few samples its p99 is its slowest message.',
    );
  }
  console.log(
    `DynamoDB requests counted at the dynalite server by X-Amz-Target; latency = sender's send → receiver's ` +
      `receipt over loopback. Total time ${(elapsedMs / 1000).toFixed(0)} s. Protocol v${PROTOCOL_VERSION}.`,
  );
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
