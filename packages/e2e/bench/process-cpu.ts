import { type ChromiumProcess, chromiumProcesses, listPids, statFields } from '../src/process-memory';

/*
 * CPU time spent by each part of the machine between two snapshots, from /proc (Linux): the processes of each
 * Chromium launched with a profile (found as ../src/process-memory.ts finds them), by role (browser, renderer, GPU,
 * network service, other utilities), and all other processes together. Time the kernel spends outside any process
 * (interrupts) is in no row, nor are processes that ended between two snapshots. On a machine whose cores are
 * saturated, this says where a slower run's time went more steadily than its wall-clock time, which carries
 * whatever else the machine was doing.
 */

/** Linux reports process CPU time in clock ticks of 1/100 s. */
const MS_PER_TICK = 10;

/** CPU milliseconds by part (e.g. `sender renderer`, or REST). */
export type CpuSnapshot = Map<string, number>;

/** The part that is every process but the profiled browsers' (the local runtime, coturn, the driver, the kernel's). */
export const REST = 'rest of the machine';

/** CPU time a process has used so far (user and system: the 14th and 15th fields of /proc/PID/stat), 0 once ended. */
function cpuMilliseconds(pid: number): number {
  const fields = statFields(pid);
  return fields ? (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK : 0;
}

function role(process: ChromiumProcess): string {
  if (process.type === 'browser' || process.type === 'renderer') return process.type;
  if (process.type === 'gpu-process') return 'GPU';
  if (process.utility === 'network.mojom.NetworkService') return 'network service';
  return 'other utilities';
}

/**
 * CPU time so far of the Chromium on each profile folder, by `<label> <role>` (`profiles` maps a label to its
 * folder), and of all other processes together (REST).
 */
export function cpuSnapshot(profiles: Record<string, string>): CpuSnapshot {
  const snapshot: CpuSnapshot = new Map();
  const counted = new Set<number>();
  for (const [label, profileDir] of Object.entries(profiles)) {
    for (const process of chromiumProcesses(profileDir)) {
      const part = `${label} ${role(process)}`;
      snapshot.set(part, (snapshot.get(part) ?? 0) + cpuMilliseconds(process.pid));
      counted.add(process.pid);
    }
  }
  let rest = 0;
  for (const pid of listPids()) if (!counted.has(pid)) rest += cpuMilliseconds(pid);
  snapshot.set(REST, rest);
  return snapshot;
}

/** CPU milliseconds spent by each part between two snapshots. */
export function cpuSpent(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  const spent: CpuSnapshot = new Map();
  for (const [part, ms] of after) spent.set(part, Math.max(0, ms - (before.get(part) ?? 0)));
  return spent;
}
