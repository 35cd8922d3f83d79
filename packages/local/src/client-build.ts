import { spawn, spawnSync } from 'node:child_process';
import { existsSync, watch } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

// The one place that says where the web client is and how it is built: `pnpm dev`, the browser tests' global setup
// and the CDK site asset (lib/site.ts) all build it through here.

/** The client package (`packages/client`). */
export const CLIENT_DIR = fileURLToPath(new URL('../../client', import.meta.url));

/** The folder inside a client package where `pnpm dev`, the browser tests and `pnpm bench size` keep its build. */
const CLIENT_DIST_FOLDER = 'dist';

/** Where `pnpm dev` and the browser tests keep the built client (CDK builds into its own asset folder instead). */
export const CLIENT_DIST_DIR = join(CLIENT_DIR, CLIENT_DIST_FOLDER);

/** Inputs of the client build: when any is newer than the build, it is rebuilt. */
export const CLIENT_BUILD_INPUTS = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'];

/**
 * The command that builds the client into `outDir`: Vite's own script run by this Node, resolved from the client
 * package, so it works without pnpm or a global vite on PATH (e.g. under a globally installed `cdk`).
 */
export function clientBuildCommand(outDir: string = CLIENT_DIST_DIR): { command: string; args: string[]; cwd: string } {
  const vitePackage = createRequire(join(CLIENT_DIR, 'package.json')).resolve('vite/package.json');
  return {
    command: process.execPath,
    args: [
      join(dirname(vitePackage), 'bin', 'vite.js'),
      'build',
      '--outDir',
      outDir,
      '--emptyOutDir',
      '--logLevel',
      'warn',
    ],
    cwd: CLIENT_DIR,
  };
}

/** Builds the client from its current sources into `outDir`, output on stderr; throws when the build fails. */
export function buildClient(outDir: string = CLIENT_DIST_DIR): void {
  const { command, args, cwd } = clientBuildCommand(outDir);
  // stdout stays clean: `cdk synth` and `pnpm dev` print machine-readable lines there.
  const result = spawnSync(command, args, { cwd, stdio: ['ignore', 2, 2] });
  if (result.status !== 0) {
    throw new Error(
      `The web client build failed (vite build in ${CLIENT_DIR}, exit ${result.status ?? result.signal ?? result.error?.message}); see its output above.`,
    );
  }
}

async function newestModification(path: string): Promise<number> {
  const info = await stat(path).catch(() => undefined);
  if (!info) return 0;
  if (!info.isDirectory()) return info.mtimeMs;
  const entries = await readdir(path);
  const times = await Promise.all(entries.map((entry) => newestModification(join(path, entry))));
  return Math.max(info.mtimeMs, ...times);
}

/** Whether the built client is missing or older than its sources. */
export async function isClientBuildStale(clientDir = CLIENT_DIR): Promise<boolean> {
  const built = await stat(join(clientDir, CLIENT_DIST_FOLDER, 'index.html')).catch(() => undefined);
  if (!built) return true;
  const sources = await Promise.all(CLIENT_BUILD_INPUTS.map((input) => newestModification(join(clientDir, input))));
  return Math.max(...sources) > built.mtimeMs;
}

/**
 * Builds the client with vite when its build is missing or stale, and answers the directory to serve — or
 * undefined, with the reason logged, when there is no client to serve.
 */
export async function ensureClientBuilt(log: (line: string) => void): Promise<string | undefined> {
  if (!existsSync(join(CLIENT_DIR, 'index.html'))) {
    log('The client (packages/client) has no index.html yet, so there is no site to serve.');
    return undefined;
  }
  if (!(await isClientBuildStale())) return CLIENT_DIST_DIR;
  log('Building the client (vite build)…');
  const { command, args, cwd } = clientBuildCommand();
  const status = await new Promise<number | null>((resolve) => {
    // Build output goes to stderr: stdout carries the machine-readable ready line.
    const child = spawn(command, args, { cwd, stdio: ['ignore', 2, 2] });
    child.once('error', () => resolve(null));
    child.once('close', resolve);
  });
  if (status !== 0) {
    log('The client build failed (see above).');
    return existsSync(join(CLIENT_DIST_DIR, 'index.html')) ? CLIENT_DIST_DIR : undefined;
  }
  return CLIENT_DIST_DIR;
}

/** Edits come in bursts (an editor writes a file and its backup, a save-all writes many): wait this long for quiet. */
export const CLIENT_REBUILD_DEBOUNCE_MS = 150;

/**
 * Watches the client's build inputs under `clientDir` and calls `rebuild` after each burst of changes, one rebuild at a
 * time (a change during a rebuild queues one more). Answers a function that stops watching.
 */
export function watchClientSources(options: {
  rebuild: () => Promise<unknown>;
  clientDir?: string;
  debounceMs?: number;
}): () => void {
  const clientDir = options.clientDir ?? CLIENT_DIR;
  const debounceMs = options.debounceMs ?? CLIENT_REBUILD_DEBOUNCE_MS;
  let timer: NodeJS.Timeout | undefined;
  let running: Promise<unknown> | undefined;
  let pending = false;
  const run = (): void => {
    if (running) {
      pending = true;
      return;
    }
    running = options.rebuild().finally(() => {
      running = undefined;
      if (pending) {
        pending = false;
        run();
      }
    });
  };
  const changed = () => {
    clearTimeout(timer);
    timer = setTimeout(run, debounceMs);
  };
  const watchers = CLIENT_BUILD_INPUTS.map((input) => join(clientDir, input))
    .filter((path) => existsSync(path))
    .map((path) => watch(path, { recursive: true }, changed));
  return () => {
    clearTimeout(timer);
    for (const watcher of watchers) watcher.close();
  };
}
