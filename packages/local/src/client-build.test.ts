import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { CLIENT_REBUILD_DEBOUNCE_MS, watchClientSources } from './client-build';
import { Recorder } from './test-support';

const cleanups: (() => void)[] = [];
afterEach(() => {
  for (const cleanup of cleanups.splice(0)) cleanup();
});

/** A client folder on disk with a source file, watched; `rebuilds` records each rebuild the watcher asks for. */
function watchedClient(rebuild: () => Promise<unknown> = async () => {}) {
  const dir = mkdtempSync(join(tmpdir(), 'parley-client-watch-'));
  mkdirSync(join(dir, 'src'));
  writeFileSync(join(dir, 'src', 'main.ts'), 'export {};');
  const rebuilds = new Recorder<number>();
  const stop = watchClientSources({
    clientDir: dir,
    rebuild: () => {
      rebuilds.push(Date.now());
      return rebuild();
    },
  });
  cleanups.push(() => {
    stop();
    rmSync(dir, { recursive: true, force: true });
  });
  return { dir, rebuilds };
}

/** Long enough for a watcher that would rebuild again to have done so: asserting that nothing happens needs a wait. */
const quietPeriod = () => new Promise((resolve) => setTimeout(resolve, CLIENT_REBUILD_DEBOUNCE_MS * 4));

describe('When the client sources change under `pnpm dev`', () => {
  it('should rebuild once for a burst of edits', async () => {
    const { dir, rebuilds } = watchedClient();
    for (let i = 0; i < 5; i++) writeFileSync(join(dir, 'src', 'main.ts'), `export const edit = ${i};`);
    await rebuilds.until((all) => all.length === 1, 'a rebuild after the edits');
    await quietPeriod();
    expect(rebuilds.items.length).toBe(1);
  });

  it('should see a new file in a subfolder', async () => {
    const { dir, rebuilds } = watchedClient();
    mkdirSync(join(dir, 'src', 'ui'));
    writeFileSync(join(dir, 'src', 'ui', 'panel.ts'), 'export {};');
    await rebuilds.until((all) => all.length >= 1, 'a rebuild after a new file');
  });

  it('should rebuild once more for an edit made while a rebuild runs, never two at once', async () => {
    let release: () => void = () => {};
    let concurrent = 0;
    let maxConcurrent = 0;
    const { dir, rebuilds } = watchedClient(async () => {
      concurrent++;
      maxConcurrent = Math.max(maxConcurrent, concurrent);
      await new Promise<void>((resolve) => {
        release = resolve;
      });
      concurrent--;
    });
    writeFileSync(join(dir, 'src', 'main.ts'), 'export const a = 1;');
    await rebuilds.until((all) => all.length === 1, 'the first rebuild');
    writeFileSync(join(dir, 'src', 'main.ts'), 'export const a = 2;');
    await quietPeriod();
    expect(rebuilds.items.length).toBe(1);
    release();
    await rebuilds.until((all) => all.length === 2, 'the queued rebuild');
    release();
    await quietPeriod();
    expect(rebuilds.items.length).toBe(2);
    expect(maxConcurrent).toBe(1);
  });
});
