#!/usr/bin/env node
// Entry point of the root scripts (`dev`, `test`, `bench`, `synth`). Plain Node with no dependencies, so that on a
// fresh machine with only Node.js and npm, `npm run dev` / `npm test` can install pnpm and the workspace first.
import { spawnSync } from 'node:child_process';
import { existsSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const root = dirname(dirname(fileURLToPath(import.meta.url)));
const [command, ...rest] = process.argv.slice(2);

const COMMANDS = {
  dev: ['tsx', 'packages/local/src/cli.ts'],
  test: ['tsx', 'scripts/test.ts'],
  bench: ['tsx', 'scripts/bench.ts'],
  synth: ['cdk', 'synth', '--quiet'],
};

/** Debian packages each command wants, by the binary that shows they are installed. */
const SYSTEM_PACKAGES = {
  // The network lab (packages/e2e/src/network-lab.ts) needs ip, nft and python3 (its delay link).
  test: {
    turnserver: 'coturn',
    chromium: 'chromium',
    'firefox-esr': 'firefox-esr',
    ip: 'iproute2',
    nft: 'nftables',
    python3: 'python3',
  },
  bench: {
    turnserver: 'coturn',
    chromium: 'chromium',
    'firefox-esr': 'firefox-esr',
    ip: 'iproute2',
    nft: 'nftables',
    python3: 'python3',
  },
  dev: {},
  synth: {},
};

function has(binary) {
  return spawnSync('sh', ['-c', `command -v ${binary}`], { stdio: 'ignore' }).status === 0;
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

function ensureSystemPackages(wanted) {
  const missing = Object.entries(wanted)
    .filter(([binary]) => !has(binary) && !existsSync(`/usr/lib/${binary}/${binary}`))
    .map(([, pkg]) => pkg);
  if (missing.length === 0) return;
  const isRoot = typeof process.getuid === 'function' && process.getuid() === 0;
  if (!isRoot || !has('apt-get')) {
    console.error(
      `parley: missing Debian packages: ${missing.join(' ')} — install them (apt-get install ${missing.join(' ')}).`,
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
ensureSystemPackages(SYSTEM_PACKAGES[command]);
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
