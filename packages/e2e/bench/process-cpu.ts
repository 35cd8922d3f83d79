import { readdirSync, readFileSync } from 'node:fs';

/*
 * CPU time spent by each part of the machine between two snapshots, from /proc (Linux): each Chromium process by
 * the profile it belongs to and its role (browser, renderer, GPU, network service, other utilities), and all other
 * processes together. Time the kernel spends outside any process (interrupts) is in no row. On a machine whose
 * cores are saturated, this says where a slower run's time went more steadily than its wall-clock time, which
 * carries whatever else the machine was doing.
 */

/** Linux reports process CPU time in clock ticks of 1/100 s. */
const MS_PER_TICK = 10;

/** CPU milliseconds by part (e.g. `profile-a renderer`, or REST). */
export type CpuSnapshot = Map<string, number>;

/** The part that is every process but the profiled browsers' (the local runtime, coturn, the driver, the kernel's). */
export const REST = 'rest of the machine';

interface ProcessInfo {
  pid: number;
  ppid: number;
  cpuMs: number;
  args: string[];
}

function readProcess(pid: number): ProcessInfo | undefined {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name is in parentheses and may hold spaces: the fields start after the last ')'.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    // Chromium rewrites its process title, so its arguments may come joined by spaces rather than NULs.
    const args = readFileSync(`/proc/${pid}/cmdline`, 'utf8').split(/[\0 ]/);
    return { pid, ppid: Number(fields[1]), cpuMs: (Number(fields[11]) + Number(fields[12])) * MS_PER_TICK, args };
  } catch {
    return undefined; // gone meanwhile
  }
}

function chromiumRole(args: string[]): string {
  const type = args.find((arg) => arg.startsWith('--type='))?.slice('--type='.length);
  if (!type) return 'browser';
  if (type === 'renderer') return 'renderer';
  if (type === 'gpu-process') return 'GPU';
  if (args.some((arg) => arg.includes('network.mojom.NetworkService'))) return 'network service';
  return 'other utilities';
}

/**
 * CPU time so far of every Chromium process launched with a profile, by `<profile folder> <role>`, and of all other
 * processes together (`rest`). Processes that ended since the last snapshot are in no row.
 */
export function cpuSnapshot(): CpuSnapshot {
  const processes = new Map<number, ProcessInfo>();
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const info = readProcess(Number(entry));
    if (info) processes.set(info.pid, info);
  }
  const profileOf = (info: ProcessInfo): string | undefined => {
    // Children (renderers come from the zygote) carry no --user-data-dir: follow the parents up to the browser.
    for (let p: ProcessInfo | undefined = info; p; p = processes.get(p.ppid)) {
      const dir = p.args.find((arg) => arg.startsWith('--user-data-dir='));
      if (dir) return dir.split('/').pop();
      if (p.ppid <= 1) return undefined;
    }
    return undefined;
  };
  const snapshot: CpuSnapshot = new Map();
  for (const info of processes.values()) {
    const profile = info.args[0]?.includes('chromium') ? profileOf(info) : undefined;
    const part = profile ? `${profile} ${chromiumRole(info.args)}` : REST;
    snapshot.set(part, (snapshot.get(part) ?? 0) + info.cpuMs);
  }
  return snapshot;
}

/** CPU milliseconds spent by each part between two snapshots. */
export function cpuSpent(before: CpuSnapshot, after: CpuSnapshot): CpuSnapshot {
  const spent: CpuSnapshot = new Map();
  for (const [part, ms] of after) spent.set(part, Math.max(0, ms - (before.get(part) ?? 0)));
  return spent;
}
