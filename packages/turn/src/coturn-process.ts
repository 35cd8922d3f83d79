import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { TransportAddress } from './stun-message';
import { TurnClient } from './turn-client';
import { renderTurnserverConf, type TurnServerConfigOptions } from './turnserver-conf';

/** How long coturn may take to answer its first STUN Binding (it is usually ready in 20–50 ms). */
export const COTURN_READY_TIMEOUT_MS = 10_000;

/** How long coturn may take to exit after SIGTERM before it is killed. */
export const COTURN_STOP_TIMEOUT_MS = 5_000;

/** Most log text kept in memory per process; older output is dropped first. */
export const COTURN_LOG_LIMIT_CHARS = 256 * 1024;

const DEBIAN_TURNSERVER = '/usr/bin/turnserver';

/** A running coturn. */
export interface CoturnProcess {
  /** The STUN/TURN port it listens on. */
  port: number;
  pid: number;
  /** Stops it (SIGTERM, then SIGKILL) and removes its temp files. Safe to call twice. */
  stop(): Promise<void>;
  /** Everything it has logged so far (most recent {@link COTURN_LOG_LIMIT_CHARS}). */
  logs(): string;
}

/** What to run: rendered options (temp pid/userdb paths are filled in), or a finished config text. */
export type CoturnConfig =
  | { options: TurnServerConfigOptions }
  | { confText: string; listeningIp: string; listeningPort: number };

/** How to start coturn. */
export type StartCoturnOptions = CoturnConfig & {
  /** Path of the turnserver binary; default: found on PATH, else /usr/bin/turnserver. */
  turnserverPath?: string;
  /** Runs turnserver through this command, e.g. `['ip', 'netns', 'exec', 'host']`. */
  commandPrefix?: readonly string[];
  /**
   * Resolves once coturn serves. Default: a STUN Binding answered on the listening address. Pass your own when that
   * address is not reachable from this process (another network namespace).
   */
  waitUntilReady?: (server: TransportAddress) => Promise<void>;
};

/** The turnserver binary: on PATH, else Debian's location; undefined when coturn is not installed. */
export function findTurnserver(): string | undefined {
  const onPath = spawnSync('sh', ['-c', 'command -v turnserver'], { encoding: 'utf8' });
  const found = onPath.status === 0 ? onPath.stdout.trim() : '';
  if (found) return found;
  return existsSync(DEBIAN_TURNSERVER) ? DEBIAN_TURNSERVER : undefined;
}

/** Whether coturn's `turnserver` can be run here. */
export function isCoturnInstalled(): boolean {
  return findTurnserver() !== undefined;
}

/** Starts coturn in the foreground on a temp config and resolves once it really answers STUN. */
export async function startCoturn(options: StartCoturnOptions): Promise<CoturnProcess> {
  const turnserver = options.turnserverPath ?? findTurnserver();
  if (!turnserver) throw new Error('coturn is not installed: apt-get install coturn (it provides turnserver)');
  const directory = await mkdtemp(join(tmpdir(), 'parley-coturn-'));
  const removeDirectory = () => rm(directory, { recursive: true, force: true });
  let server: TransportAddress;
  let confText: string;
  try {
    if ('options' in options) {
      confText = renderTurnserverConf({
        pidFile: join(directory, 'turnserver.pid'),
        userDbFile: join(directory, 'turndb'),
        ...options.options,
      });
      server = {
        address: options.options.listeningIp ?? options.options.externalIp?.private ?? '127.0.0.1',
        port: options.options.listeningPort,
      };
    } else {
      confText = options.confText;
      server = { address: options.listeningIp, port: options.listeningPort };
    }
  } catch (error) {
    await removeDirectory();
    throw error;
  }
  const confFile = join(directory, 'turnserver.conf');
  await writeFile(confFile, confText, { mode: 0o600 });

  const [command = turnserver, ...args] = [...(options.commandPrefix ?? []), turnserver, '-c', confFile];
  const child = spawn(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const append = (chunk: Buffer) => {
    log = (log + chunk.toString('utf8')).slice(-COTURN_LOG_LIMIT_CHARS);
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<void>((resolve) => child.once('close', () => resolve()));

  let stopping: Promise<void> | undefined;
  const stop = () => {
    stopping ??= terminate(child, exited).then(removeDirectory);
    return stopping;
  };

  try {
    await raceAgainstExit(
      withTimeout((options.waitUntilReady ?? waitForStunBinding)(server), COTURN_READY_TIMEOUT_MS),
      exited,
    );
  } catch (error) {
    await stop();
    throw new Error(`coturn did not become ready: ${(error as Error).message}\n--- coturn log ---\n${log}`);
  }
  return { port: server.port, pid: child.pid ?? -1, stop, logs: () => log };
}

/** Resolves when a STUN Binding to `server` is answered; retries until {@link COTURN_READY_TIMEOUT_MS} passes. */
export async function waitForStunBinding(server: TransportAddress): Promise<void> {
  const deadline = Date.now() + COTURN_READY_TIMEOUT_MS;
  const client = await TurnClient.open(server);
  try {
    for (;;) {
      try {
        await client.binding();
        return;
      } catch (error) {
        if (Date.now() > deadline) throw error;
      }
    }
  } finally {
    client.close();
  }
}

async function terminate(child: ChildProcess, exited: Promise<void>): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  child.kill('SIGTERM');
  const killer = setTimeout(() => child.kill('SIGKILL'), COTURN_STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(killer);
}

function withTimeout<T>(promise: Promise<T>, timeoutMs: number): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`not ready after ${timeoutMs} ms`)), timeoutMs);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

function raceAgainstExit<T>(promise: Promise<T>, exited: Promise<void>): Promise<T> {
  const died = exited.then(() => {
    throw new Error('turnserver exited');
  });
  return Promise.race([promise, died]);
}
