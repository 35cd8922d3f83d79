/**
 * Every benchmark, one after another; each prints its own table. Speed and size targets live here, never in tests.
 *
 * Usage: pnpm bench [name…] [--option value…]   (names: relay, turn-capacity, load, size, verification, call-setup,
 *        file-memory, lab-call-setup, file-throughput; options go to each)
 */
import { spawnSync } from 'node:child_process';
import { existsSync } from 'node:fs';

const BENCHMARKS: Record<string, string> = {
  relay: 'packages/local/bench/relay-cost.ts',
  'turn-capacity': 'packages/local/bench/turn-capacity.ts',
  load: 'packages/local/bench/load.ts',
  size: 'packages/client/scripts/size.ts',
  verification: 'packages/client/scripts/verification-cost.ts',
  'call-setup': 'packages/e2e/bench/call-setup.ts',
  'file-memory': 'packages/e2e/bench/file-memory.ts',
  'lab-call-setup': 'packages/e2e/bench/lab-call-setup.ts',
  'file-throughput': 'packages/e2e/bench/file-throughput.ts',
};

const args = process.argv.slice(2);
// Names pick benchmarks; options (`--runs 3`) go to each benchmark run.
const firstOption = args.findIndex((arg) => arg.startsWith('--'));
const wanted = firstOption === -1 ? args : args.slice(0, firstOption);
const options = firstOption === -1 ? [] : args.slice(firstOption);
const names = wanted.length > 0 ? wanted : Object.keys(BENCHMARKS);
let failed = 0;
for (const name of names) {
  const file = BENCHMARKS[name];
  if (!file) {
    console.error(`unknown benchmark "${name}"; known: ${Object.keys(BENCHMARKS).join(', ')}`);
    process.exit(2);
  }
  console.log(`\n## ${name} (${file})\n`);
  if (!existsSync(file)) {
    console.error(`missing: ${file}`);
    failed++;
    continue;
  }
  const result = spawnSync('tsx', [file, ...options], { stdio: 'inherit' });
  if (result.status !== 0) failed++;
}
process.exit(failed > 0 ? 1 : 0);
