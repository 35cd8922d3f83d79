/**
 * The whole test suite: lint, type-check, unit + integration tests, browser end-to-end tests. Prints a plain
 * `N passed, N failed` line at the end (CI reads it) and exits non-zero when anything failed.
 *
 * Usage: pnpm test [--only lint|types|unit|e2e]… [extra vitest args]
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { typecheckProjects } from './typecheck-projects';

interface Tally {
  passed: number;
  failed: number;
  skipped: number;
  failures: string[];
}

const tally: Tally = { passed: 0, failed: 0, skipped: 0, failures: [] };
const args = process.argv.slice(2);
const only = new Set<string>();
const vitestArgs: string[] = [];
for (let i = 0; i < args.length; i++) {
  if (args[i] === '--only') only.add(args[++i] ?? '');
  else vitestArgs.push(args[i] as string);
}
const wants = (step: string) => only.size === 0 || only.has(step);

function check(name: string, cmd: string, cmdArgs: string[]): void {
  console.log(`\n▶ ${name}`);
  const result = spawnSync(cmd, cmdArgs, { stdio: 'inherit' });
  if (result.status === 0) {
    tally.passed++;
  } else {
    tally.failed++;
    tally.failures.push(name);
  }
}

interface VitestJson {
  numPassedTests: number;
  numFailedTests: number;
  numPendingTests: number;
  numTodoTests: number;
  numTotalTests: number;
  success: boolean;
}

function vitest(project: string): void {
  console.log(`\n▶ vitest --project ${project}`);
  const dir = mkdtempSync(join(tmpdir(), 'parley-vitest-'));
  const report = join(dir, 'report.json');
  const result = spawnSync(
    'vitest',
    [
      'run',
      '--project',
      project,
      '--reporter=default',
      '--reporter=json',
      `--outputFile.json=${report}`,
      ...vitestArgs,
    ],
    { stdio: 'inherit' },
  );
  try {
    const json = JSON.parse(readFileSync(report, 'utf8')) as VitestJson;
    tally.passed += json.numPassedTests;
    tally.failed += json.numFailedTests;
    tally.skipped += json.numPendingTests + json.numTodoTests;
    if (json.numFailedTests > 0) tally.failures.push(`${project}: ${json.numFailedTests} test(s)`);
    // A run that failed outside any test (a file that does not load, an unhandled error) counts as one failure.
    if (result.status !== 0 && json.numFailedTests === 0) {
      tally.failed++;
      tally.failures.push(`${project}: run failed (exit ${result.status})`);
    }
    if (json.numTotalTests === 0) {
      tally.failed++;
      tally.failures.push(`${project}: no tests ran`);
    }
  } catch {
    tally.failed++;
    tally.failures.push(`${project}: no report (exit ${result.status})`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}

if (wants('lint')) check('lint (biome)', 'biome', ['check', '.']);
if (wants('types')) {
  try {
    for (const project of typecheckProjects()) check(`types (${project})`, 'tsc', ['--noEmit', '-p', project]);
  } catch (error) {
    console.error((error as Error).message);
    tally.failed++;
    tally.failures.push('types: a package is not type-checked');
  }
}
if (wants('unit')) vitest('unit');
if (wants('e2e')) vitest('e2e');

if (tally.failures.length > 0) console.log(`\nFailed: ${tally.failures.join('; ')}`);
const skipped = tally.skipped > 0 ? `, ${tally.skipped} skipped` : '';
console.log(`\n${tally.passed} passed, ${tally.failed} failed${skipped}`);
process.exit(tally.failed > 0 ? 1 : 0);
