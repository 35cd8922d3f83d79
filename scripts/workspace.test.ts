import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { builtinModules } from 'node:module';
import { join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// Conventions of the workspace packages, checked on disk so a new package or import is held to them too.

const root = fileURLToPath(new URL('..', import.meta.url));

interface PackageJson {
  name: string;
  scripts?: Record<string, string>;
  exports?: Record<string, string>;
  dependencies?: Record<string, string>;
  devDependencies?: Record<string, string>;
}

const packages = readdirSync(join(root, 'packages'))
  .filter((name) => existsSync(join(root, 'packages', name, 'package.json')))
  .map((name) => {
    const dir = join(root, 'packages', name);
    return { dir, json: JSON.parse(readFileSync(join(dir, 'package.json'), 'utf8')) as PackageJson };
  });

const declared = (json: PackageJson) => ({ ...json.dependencies, ...json.devDependencies });

/** The package's own TypeScript sources, tests excluded: the root's vitest runs those with the root's packages. */
function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    if (name === 'node_modules' || name === 'dist') return [];
    if (statSync(path).isDirectory()) return sources(path);
    return /\.ts$/.test(name) && !/\.(test|e2e)\.ts$/.test(name) && !name.endsWith('.d.ts') ? [path] : [];
  });
}

/** Every module specifier a file imports (static, dynamic and type imports, re-exports). */
function importsOf(file: string): string[] {
  const text = readFileSync(file, 'utf8');
  return [...text.matchAll(/(?:\bfrom\s+|\bimport\s*\(\s*|^import\s+)'([^']+)'/gm)].map(
    ([, specifier = '']) => specifier,
  );
}

const packageName = (specifier: string) =>
  specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : (specifier.split('/')[0] ?? specifier);

const isBuiltin = (specifier: string) =>
  specifier.startsWith('node:') || builtinModules.includes(packageName(specifier));

describe('Every workspace package', () => {
  it.each(packages.map(({ dir, json }) => [json.name, dir, json] as const))(
    '%s should export only files that exist',
    (_name, dir, json) => {
      for (const target of Object.values(json.exports ?? {})) expect(existsSync(join(dir, target)), target).toBe(true);
    },
  );

  it.each(packages.map(({ dir, json }) => [json.name, dir, json] as const))(
    '%s should declare every package it imports, and reach into no other package by a relative path',
    (_name, dir, json) => {
      const deps = declared(json);
      const problems: string[] = [];
      for (const file of sources(dir)) {
        for (const specifier of importsOf(file)) {
          const where = relative(root, file);
          if (specifier.startsWith('.')) {
            const target = resolve(file, '..', specifier);
            if (relative(dir, target).startsWith('..')) problems.push(`${where}: ${specifier} is outside the package`);
            continue;
          }
          if (isBuiltin(specifier)) continue;
          const name = packageName(specifier);
          if (name === json.name || name in deps || `@types/${name}` in deps) continue;
          problems.push(`${where}: imports ${name}, which package.json does not declare`);
        }
      }
      expect(problems).toEqual([]);
    },
  );

  it('should import no package that imports it back (no cycles between workspace packages)', () => {
    const edges = new Map(
      packages.map(({ json }) => [
        json.name,
        Object.keys(declared(json)).filter((dep) => packages.some((p) => p.json.name === dep)),
      ]),
    );
    const cycles: string[] = [];
    const visit = (name: string, path: string[]) => {
      if (path.includes(name)) {
        cycles.push([...path.slice(path.indexOf(name)), name].join(' → '));
        return;
      }
      for (const next of edges.get(name) ?? []) visit(next, [...path, name]);
    };
    for (const name of edges.keys()) visit(name, []);
    expect(cycles).toEqual([]);
  });
});

describe('The client package', () => {
  const client = packages.find(({ json }) => json.name === '@parley/client');

  it("should have Vite's dev, build and preview scripts", () => {
    expect(client?.json.scripts).toMatchObject({ dev: 'vite', build: 'vite build', preview: 'vite preview' });
  });
});
