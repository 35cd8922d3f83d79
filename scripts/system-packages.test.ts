import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import list from './system-packages.json';

const read = (path: string) => readFileSync(fileURLToPath(new URL(path, import.meta.url)), 'utf8');
const names = list.packages.map((p) => p.name);

describe('The one list of Debian packages (scripts/system-packages.json)', () => {
  it('should be what the README tells people to install, word for word', () => {
    expect(read('../README.md')).toContain(`apt-get install ${names.join(' ')}`);
  });

  it('should be installed by `npm test` and `npm run dev` themselves (scripts/run.mjs reads it)', () => {
    const run = read('./run.mjs');
    expect(run).toContain("'system-packages.json'");
    expect(run).toContain('ensureSystemPackages(command)');
    for (const p of list.packages) expect(p.commands.length, p.name).toBeGreaterThan(0);
    expect(list.packages.filter((p) => p.commands.includes('test')).map((p) => p.name)).toEqual(names);
  });

  it('should leave CI nothing to install: .ci/run is the README test command alone', () => {
    const commands = read('../.ci/run')
      .split('\n')
      .filter(
        (line) => line.trim() !== '' && !line.startsWith('#') && !line.startsWith('set ') && !line.startsWith('cd '),
      );
    expect(commands).toEqual(['npm test']);
  });
});
