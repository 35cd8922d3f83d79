import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { typecheckProjects } from './typecheck-projects';

const roots: string[] = [];
afterEach(() => {
  for (const root of roots.splice(0)) rmSync(root, { recursive: true, force: true });
});

/** A workspace on disk with the given packages, each with (or without) its tsconfig. */
function workspace(packages: Record<string, { tsconfig: boolean }>): string {
  const root = mkdtempSync(join(tmpdir(), 'parley-typecheck-'));
  roots.push(root);
  for (const [name, { tsconfig }] of Object.entries(packages)) {
    mkdirSync(join(root, 'packages', name), { recursive: true });
    writeFileSync(join(root, 'packages', name, 'package.json'), '{}');
    if (tsconfig) writeFileSync(join(root, 'packages', name, 'tsconfig.json'), '{}');
  }
  return root;
}

describe('The type-check step', () => {
  it('should check every package of this repository and the root project', () => {
    const projects = typecheckProjects();
    expect(projects[0]).toBe('tsconfig.json');
    for (const name of ['protocol', 'signaling', 'turn', 'local', 'client', 'e2e']) {
      expect(projects).toContain(`packages/${name}/tsconfig.json`);
    }
  });

  it('should pick up a new package without anyone listing it', () => {
    const root = workspace({ protocol: { tsconfig: true }, 'brand-new': { tsconfig: true } });
    expect(typecheckProjects(root)).toEqual([
      'tsconfig.json',
      'packages/brand-new/tsconfig.json',
      'packages/protocol/tsconfig.json',
    ]);
  });

  it('should refuse a package that has no tsconfig rather than skip it', () => {
    const root = workspace({ protocol: { tsconfig: true }, untyped: { tsconfig: false } });
    expect(() => typecheckProjects(root)).toThrow('missing in: packages/untyped');
  });
});
