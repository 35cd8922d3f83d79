/**
 * TURN capacity: coturn's CPU per relayed call, measured on real coturn relaying call-like traffic on this machine,
 * and what that means for the TURN host's instance types (their CPU baseline and their baseline network bandwidth).
 *
 * Each call is two TURN clients (the project's own, over UDP) that allocate, permit and channel-bind each other's
 * relay address and then send `--mbps` each way in 1,200-byte packets, as a relayed video call does: every packet
 * goes client → coturn → the other's relay port on the same coturn → the other client. coturn's CPU seconds are read
 * from /proc over the measured window; idle coturn is measured first, in the same run, as the floor.
 *
 * Usage: pnpm bench turn-capacity [--calls 1,4,8] [--seconds 20] [--mbps 2.5]
 */
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { cpus } from 'node:os';
import { parseArgs } from 'node:util';
import { TURN_FIRST_CHANNEL, TurnClient, turnRestCredentials } from '@parley/turn';
import { startLocalTurn } from '../src/local-turn';
import { markdownTable } from './stats';

/** RTP video packets are kept under the path MTU; 1,200 bytes is what browsers aim for. */
const PACKET_BYTES = 1_200;

/** The senders' clock: small enough that a 2.5 Mbit/s stream is a steady trickle of a few packets, not bursts. */
const SEND_TICK_MS = 20;

/** Traffic runs this long before the measured window, so allocations and caches are warm. */
const WARM_UP_MS = 2_000;

/** The kernel's clock ticks per second for /proc/<pid>/stat times (USER_HZ, 100 on Linux). */
const CLOCK_TICKS_PER_SECOND = 100;

/**
 * This machine has no arm64 core to compare with, so a Graviton2 vCPU (t4g) is counted as doing half the relaying
 * work of one core here: a deliberate margin, not a measurement.
 */
const GRAVITON_VCPU_PER_CORE_HERE = 0.5;

/**
 * The t4g sizes a personal TURN host would use, as AWS publishes them (us-east-1 on-demand Linux price, vCPUs, the
 * CPU baseline per vCPU a burstable instance may use indefinitely without credits, and the baseline network
 * bandwidth it may sustain; both burst above for a while).
 */
export const TURN_INSTANCE_CLASSES = [
  { type: 't4g.nano', usdPerHour: 0.0042, vcpus: 2, baselinePerVcpu: 0.05, baselineMbps: 32, memoryGiB: 0.5 },
  { type: 't4g.micro', usdPerHour: 0.0084, vcpus: 2, baselinePerVcpu: 0.1, baselineMbps: 64, memoryGiB: 1 },
  { type: 't4g.small', usdPerHour: 0.0168, vcpus: 2, baselinePerVcpu: 0.2, baselineMbps: 128, memoryGiB: 2 },
  { type: 't4g.medium', usdPerHour: 0.0336, vcpus: 2, baselinePerVcpu: 0.2, baselineMbps: 256, memoryGiB: 4 },
] as const;

const HOURS_PER_MONTH = 730;

/** CPU seconds (user + system) a process has used so far, from /proc/<pid>/stat. */
function cpuSecondsOf(pid: number): number {
  const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
  // Fields after the command name, which is in parentheses and may hold spaces: utime and stime are 14 and 15.
  const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
  return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS_PER_SECOND;
}

interface Leg {
  client: TurnClient;
  received: number;
}

/** One relayed call: two clients, each with a relay on the server, bound to each other by a channel. */
async function openCall(server: { address: string; port: number }, secret: string, index: number): Promise<Leg[]> {
  const expiresAtSeconds = Math.floor(Date.now() / 1000) + 3_600;
  const legs = await Promise.all(
    ['a', 'b'].map(async (side) => {
      const client = await TurnClient.open(server, '127.0.0.1');
      const credentials = turnRestCredentials({ secret, label: `bench-${index}-${side}`, expiresAtSeconds });
      const allocation = await client.allocate(credentials);
      return { client, allocation, received: 0 };
    }),
  );
  const [a, b] = legs as [(typeof legs)[0], (typeof legs)[0]];
  for (const [self, other] of [
    [a, b],
    [b, a],
  ] as const) {
    await self.client.createPermission(other.allocation.relayed.address);
    await self.client.channelBind(TURN_FIRST_CHANNEL, other.allocation.relayed);
  }
  return legs;
}

/** Counts what each leg receives until `stop` is set. */
async function drain(leg: Leg, running: { on: boolean }): Promise<void> {
  while (running.on) {
    try {
      const data = await leg.client.nextData(500);
      leg.received += data.data.length;
    } catch {
      // Quiet for a moment (the end of the run): look at `running` again.
    }
  }
}

interface Measurement {
  calls: number;
  seconds: number;
  coturnCpuSeconds: number;
  generatorCpuSeconds: number;
  sentBytes: number;
  receivedBytes: number;
}

async function measure(calls: number, seconds: number, mbps: number): Promise<Measurement> {
  const secret = randomBytes(24).toString('hex');
  const turn = await startLocalTurn({ host: '127.0.0.1', port: 0, secret, log: (line) => console.error(line) });
  if (!turn) throw new Error('coturn is not installed (apt-get install coturn)');
  const server = { address: '127.0.0.1', port: turn.port };
  const legs: Leg[] = [];
  const running = { on: true };
  let sentBytes = 0;
  let measuring = false;
  try {
    for (let i = 0; i < calls; i++) legs.push(...(await openCall(server, secret, i)));
    const drains = legs.map((leg) => drain(leg, running));
    const payload = randomBytes(PACKET_BYTES);
    // Paced by the clock, not by counting ticks: timers fire late on a busy machine, and the rate must hold anyway.
    const bytesPerMs = (mbps * 1_000_000) / 8 / 1000;
    let credit = 0;
    let last = performance.now();
    const sender = setInterval(() => {
      const now = performance.now();
      credit += (now - last) * bytesPerMs;
      last = now;
      const packets = Math.floor(credit / PACKET_BYTES);
      credit -= packets * PACKET_BYTES;
      for (const leg of legs) {
        for (let p = 0; p < packets; p++) leg.client.sendOnChannel(TURN_FIRST_CHANNEL, payload);
        if (measuring) sentBytes += packets * PACKET_BYTES;
      }
    }, SEND_TICK_MS);
    await new Promise((resolve) => setTimeout(resolve, calls > 0 ? WARM_UP_MS : 0));
    const receivedBefore = legs.reduce((sum, leg) => sum + leg.received, 0);
    const coturnBefore = cpuSecondsOf(turn.process.pid);
    const generatorBefore = process.cpuUsage();
    measuring = true;
    const started = performance.now();
    await new Promise((resolve) => setTimeout(resolve, seconds * 1000));
    measuring = false;
    const elapsed = (performance.now() - started) / 1000;
    const coturnCpuSeconds = cpuSecondsOf(turn.process.pid) - coturnBefore;
    const generator = process.cpuUsage(generatorBefore);
    const receivedBytes = legs.reduce((sum, leg) => sum + leg.received, 0) - receivedBefore;
    clearInterval(sender);
    running.on = false;
    await Promise.all(drains);
    return {
      calls,
      seconds: elapsed,
      coturnCpuSeconds,
      generatorCpuSeconds: (generator.user + generator.system) / 1e6,
      sentBytes,
      receivedBytes,
    };
  } finally {
    running.on = false;
    for (const leg of legs) leg.client.close();
    await turn.process.stop();
  }
}

const percent = (fraction: number) => `${(fraction * 100).toFixed(fraction < 0.1 ? 2 : 1)} %`;

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      calls: { type: 'string', default: '1,4,8' },
      seconds: { type: 'string', default: '20' },
      mbps: { type: 'string', default: '2.5' },
    },
  });
  const callCounts = values.calls.split(',').map(Number);
  const seconds = Number(values.seconds);
  const mbps = Number(values.mbps);
  if (callCounts.some((n) => !Number.isInteger(n) || n < 1) || !(seconds > 0) || !(mbps > 0)) {
    throw new Error('--calls takes whole numbers ≥ 1 (e.g. 1,4,8), --seconds and --mbps positive numbers');
  }
  console.log(
    `machine: ${cpus()[0]?.model ?? 'unknown CPU'}, ${cpus().length} cores; ${mbps} Mbit/s each way per call`,
  );

  const idle = await measure(0, seconds, mbps);
  const idleCpu = idle.coturnCpuSeconds / idle.seconds;
  const rows: string[][] = [['0 (idle coturn, the floor)', '–', '–', percent(idleCpu), '–', '–']];
  const perCall: number[] = [];
  for (const calls of callCounts) {
    const m = await measure(calls, seconds, mbps);
    const cpu = m.coturnCpuSeconds / m.seconds;
    const callCpu = Math.max(0, cpu - idleCpu) / calls;
    perCall.push(callCpu);
    const relayedMbps = (m.receivedBytes * 8) / m.seconds / 1e6;
    rows.push([
      String(calls),
      `${relayedMbps.toFixed(1)} of ${((m.sentBytes * 8) / m.seconds / 1e6).toFixed(1)} sent`,
      percent(m.receivedBytes / Math.max(1, m.sentBytes)),
      percent(cpu),
      percent(callCpu),
      percent(m.generatorCpuSeconds / m.seconds),
    ]);
  }
  console.log(
    `\n${markdownTable(
      [
        'relayed calls',
        'Mbit/s relayed (both ways, all calls)',
        'delivered',
        'coturn CPU (one core = 100 %)',
        'coturn CPU per call, above idle',
        'load generator CPU',
      ],
      rows,
    )}`,
  );

  // The largest run is the steadiest estimate of the per-call cost (idle noise is shared by more calls).
  const cpuPerCall = perCall.at(-1) ?? Number.NaN;
  const callMbpsEachWay = 2 * mbps;
  const instanceRows = TURN_INSTANCE_CLASSES.map((instance) => {
    const baselineCores = instance.vcpus * instance.baselinePerVcpu * GRAVITON_VCPU_PER_CORE_HERE;
    const byCpu = Math.floor(baselineCores / cpuPerCall);
    const byNetwork = Math.floor(instance.baselineMbps / callMbpsEachWay);
    return [
      `\`${instance.type}\``,
      `${instance.vcpus} × ${percent(instance.baselinePerVcpu)}`,
      String(byCpu),
      `${instance.baselineMbps} Mbit/s`,
      String(byNetwork),
      `**${Math.min(byCpu, byNetwork)}**`,
      `$${(instance.usdPerHour * HOURS_PER_MONTH).toFixed(2)}`,
    ];
  });
  console.log(
    `\nWhat each instance holds without spending CPU or network credits (creditSpecification standard): a call ` +
      `relays ${callMbpsEachWay} Mbit/s each way through the host; a Graviton2 vCPU counted as ` +
      `${GRAVITON_VCPU_PER_CORE_HERE} of a core here.\n`,
  );
  console.log(
    markdownTable(
      [
        'instance',
        'CPU baseline',
        'calls by CPU',
        'network baseline',
        'calls by network',
        'concurrent relayed calls',
        'EC2 per month',
      ],
      instanceRows,
    ),
  );
}

main().catch((error: Error) => {
  console.error(`turn-capacity: ${error.message}`);
  process.exit(1);
});
