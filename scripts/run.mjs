#!/usr/bin/env node
// Entry point of the root scripts (`dev`, `test`, `bench`, `synth`). Plain Node with no dependencies, so that on a
// fresh machine with only Node.js and npm, `npm run dev` / `npm test` can install pnpm and the workspace first.
import { spawnSync } from 'node:child_process';
import { existsSync, readFileSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const [command, ...rest] = process.argv.slice(2);

const COMMANDS = {
  dev: ['tsx', 'packages/local/src/cli.ts'],
  test: ['tsx', 'scripts/test.ts'],
  bench: ['tsx', 'scripts/bench.ts'],
  synth: ['cdk', 'synth', '--quiet'],
  'check-deployment': ['tsx', 'scripts/check-deployment.ts'],
  'owner-link': ['tsx', 'scripts/owner-link.ts'],
};

/** The Debian packages the commands run: one list, which the README quotes (scripts/system-packages.test.ts). */
const SYSTEM_PACKAGES = JSON.parse(readFileSync(join(root, 'scripts', 'system-packages.json'), 'utf8')).packages;

function has(binary) {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
}

/** Whether a package's binary is there: an absolute path, or a command on PATH or in an sbin a non-root PATH lacks. */
function isInstalled({ binary, env }) {
  if (env && process.env[env]) return true;
  if (binary.startsWith('/')) return existsSync(binary);
  return has(binary) || existsSync(`/usr/sbin/${binary}`) || existsSync(`/sbin/${binary}`);
}

function run(cmd, args, options = {}) {
  const result = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...options });
  if (result.status !== 0) {
    console.error(`parley: \`${cmd} ${args.join(' ')}\` failed`);
    process.exit(result.status ?? 1);
  }
}

function ensurePnpm() {
  if (has('pnpm')) return;
  console.error('parley: installing pnpm (npm i -g pnpm)…');
  run('npm', ['i', '-g', 'pnpm']);
}

function ensureWorkspace() {
  const marker = join(root, 'node_modules', '.modules.yaml');
  const lock = join(root, 'pnpm-lock.yaml');
  const fresh = existsSync(marker) && statSync(marker).mtimeMs >= statSync(lock).mtimeMs;
  if (fresh && !process.env.CI) return;
  console.error('parley: installing dependencies (pnpm install --frozen-lockfile)…');
  run('pnpm', ['install', '--frozen-lockfile']);
}

function ensureSystemPackages(command) {
  const missing = SYSTEM_PACKAGES.filter((p) => p.commands.includes(command) && !isInstalled(p)).map((p) => p.name);
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !has('apt-get')) {
    console.error(
      `parley: missing Debian packages: ${missing.join(' ')} — install them (apt-get install ${missing.join(' ')})` +
        ' or run this as root; tests that need them will fail.',
    );
    return;
  }
  console.error(`parley: installing ${missing.join(' ')} from Debian…`);
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' };
  run('apt-get', ['update', '-qq'], { env });
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...missing], { env });
}

if (!(command in COMMANDS)) {
  console.error(`usage: node scripts/run.mjs ${Object.keys(COMMANDS).join('|')} [args…]`);
  process.exit(2);
}
ensurePnpm();
ensureWorkspace();
ensureSystemPackages(command);
const [bin, ...args] = COMMANDS[command];
const pathWithBins = `${join(root, 'node_modules', '.bin')}:${process.env.PATH}`;
const child = spawnSync(bin, [...args, ...rest], {
  stdio: 'inherit',
  cwd: root,
  // The AWS SDK warns on every start that its 2027 releases need Node 22; we pin today's, so the notice is noise.
  env: { AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true', ...process.env, PATH: pathWithBins },
});
if (child.error) console.error(`parley: ${child.error.message}`);
process.exit(child.status ?? 1);
