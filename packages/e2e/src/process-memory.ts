import { readdirSync, readFileSync } from 'node:fs';

/*
 * The processes of a launched Chromium and their memory, read from /proc (Linux; bench/process-cpu.ts reads their
 * CPU time). The browser process is found by its profile: it is the one process whose command line carries
 * `--user-data-dir=<that folder>` and no `--type=` (every helper process has one), so two browsers launched side by
 * side are never confused. Its renderers, GPU and utility processes are its descendants (renderers hang off the
 * zygote, a child of the browser process); each names its role in its own `--type=`. Chromium rewrites its helpers'
 * process titles, so their /proc cmdline is one space-joined string, not NUL-separated arguments. Pids come fresh
 * from /proc at every sample, so a replaced renderer still counts.
 */

/**
 * One Chromium process: its pid, its `--type` (`browser` for the browser process itself), and for a utility
 * process the service it runs (its `--utility-sub-type`, e.g. `network.mojom.NetworkService`).
 */
export interface ChromiumProcess {
  pid: number;
  type: string;
  utility?: string;
}

/** Resident memory (VmRSS, bytes) of one Chromium by role: the browser process, renderers, and everything else. */
export interface ChromiumMemory {
  browser: number;
  renderer: number;
  other: number;
}

function readProc(pid: number, file: string): string | undefined {
  try {
    return readFileSync(`/proc/${pid}/${file}`, 'utf8');
  } catch {
    return undefined; // the process ended between listing and reading
  }
}

export function listPids(): number[] {
  return readdirSync('/proc')
    .filter((name) => /^\d+$/.test(name))
    .map(Number);
}

/**
 * The fields of /proc/PID/stat from the state on (the third field; the command name before it is in parentheses
 * and may hold spaces), or undefined once the process has ended.
 */
export function statFields(pid: number): string[] | undefined {
  const stat = readProc(pid, 'stat');
  return stat?.slice(stat.lastIndexOf(')') + 2).split(' ');
}

/** The parent pid: the fourth field of /proc/PID/stat. */
function parentPid(pid: number): number | undefined {
  const fields = statFields(pid);
  return fields ? Number(fields[1]) : undefined;
}

/** A process's command line as one string. Chromium rewrites its helpers' titles into one space-joined string. */
function commandLine(pid: number): string {
  return ` ${(readProc(pid, 'cmdline') ?? '').replaceAll('\0', ' ')} `;
}

/** The `--type=` of a Chromium process, or undefined for the browser process (and any other program). */
function processType(commandLine: string): string | undefined {
  return / --type=([\w-]+) /.exec(commandLine)?.[1];
}

/** The processes of the Chromium running on profile `profileDir`; throws if no browser process uses it. */
export function chromiumProcesses(profileDir: string): ChromiumProcess[] {
  const pids = listPids();
  const profileArg = ` --user-data-dir=${profileDir} `;
  const browsers = pids.filter((pid) => {
    const line = commandLine(pid);
    return line.includes(profileArg) && processType(line) === undefined;
  });
  if (browsers.length !== 1) {
    throw new Error(`Expected one Chromium browser process on ${profileDir}, found ${browsers.length}`);
  }
  const children = new Map<number, number[]>();
  for (const pid of pids) {
    const parent = parentPid(pid);
    if (parent !== undefined) children.set(parent, [...(children.get(parent) ?? []), pid]);
  }
  const found: ChromiumProcess[] = [];
  const queue = [browsers[0] as number];
  while (queue.length > 0) {
    const pid = queue.shift() as number;
    const line = commandLine(pid);
    const utility = / --utility-sub-type=([\w.]+) /.exec(line)?.[1];
    found.push({ pid, type: processType(line) ?? 'browser', ...(utility && { utility }) });
    queue.push(...(children.get(pid) ?? []));
  }
  return found;
}

/** Resident set size of a process in bytes (0 once it has ended). */
export function residentBytes(pid: number): number {
  const kib = /^VmRSS:\s+(\d+) kB/m.exec(readProc(pid, 'status') ?? '')?.[1];
  return kib ? Number(kib) * 1024 : 0;
}

/** The Chromium on `profileDir`'s resident memory now, by role. */
export function chromiumMemory(profileDir: string): ChromiumMemory {
  const memory: ChromiumMemory = { browser: 0, renderer: 0, other: 0 };
  for (const { pid, type } of chromiumProcesses(profileDir)) {
    const role = type === 'browser' || type === 'renderer' ? type : 'other';
    memory[role] += residentBytes(pid);
  }
  return memory;
}

/** Peak resident memory of one Chromium by role, sampled on a timer until stopped. */
export class MemoryWatch {
  readonly baseline: ChromiumMemory;
  readonly peak: ChromiumMemory;
  samples = 0;
  readonly #profileDir: string;
  readonly #timer: NodeJS.Timeout;

  /** Starts sampling now; `baseline` is the first sample. */
  constructor(profileDir: string, intervalMs: number) {
    this.#profileDir = profileDir;
    this.baseline = chromiumMemory(profileDir);
    this.peak = { ...this.baseline };
    this.#timer = setInterval(() => this.sample(), intervalMs);
  }

  /** Takes one sample now (also done on the timer). */
  sample(): void {
    let now: ChromiumMemory;
    try {
      now = chromiumMemory(this.#profileDir);
    } catch {
      return; // the browser is closing
    }
    this.samples += 1;
    for (const role of ['browser', 'renderer', 'other'] as const)
      this.peak[role] = Math.max(this.peak[role], now[role]);
  }

  /** How far each role's peak rose above its baseline, in bytes. */
  growth(): ChromiumMemory {
    return {
      browser: this.peak.browser - this.baseline.browser,
      renderer: this.peak.renderer - this.baseline.renderer,
      other: this.peak.other - this.baseline.other,
    };
  }

  /** Takes a last sample and stops. */
  stop(): void {
    this.sample();
    clearInterval(this.#timer);
  }
}
