import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { readdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

/** The client package (`packages/client`). */
export const CLIENT_DIR = fileURLToPath(new URL('../../client', import.meta.url));

/** Where vite writes the built client. */
export const CLIENT_DIST_DIR = join(CLIENT_DIR, 'dist');

/** Inputs of the client build: when any is newer than the build, it is rebuilt. */
const BUILD_INPUTS = ['src', 'public', 'index.html', 'vite.config.ts', 'package.json'];

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
  const built = await stat(join(clientDir, 'dist', 'index.html')).catch(() => undefined);
  if (!built) return true;
  const sources = await Promise.all(BUILD_INPUTS.map((input) => newestModification(join(clientDir, input))));
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
  log('Building the client (pnpm --filter @parley/client exec vite build)…');
  const status = await new Promise<number | null>((resolve) => {
    const child = spawn('pnpm', ['--filter', '@parley/client', 'exec', 'vite', 'build'], {
      cwd: CLIENT_DIR,
      // Build output goes to stderr: stdout carries the machine-readable ready line.
      stdio: ['ignore', 2, 2],
    });
    child.once('error', () => resolve(null));
    child.once('close', resolve);
  });
  if (status !== 0) {
    log('The client build failed (see above).');
    return existsSync(join(CLIENT_DIST_DIR, 'index.html')) ? CLIENT_DIST_DIR : undefined;
  }
  return CLIENT_DIST_DIR;
}
