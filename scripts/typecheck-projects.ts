import { existsSync, readdirSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

const REPOSITORY_ROOT = fileURLToPath(new URL('..', import.meta.url));

/** Where the workspace packages live (pnpm-workspace.yaml: `packages/*`). */
const PACKAGES_DIRECTORY = 'packages';

/**
 * Every tsconfig the type-check step runs: the root one (bin, lib, scripts) and one per workspace package, found on
 * disk so a new package is checked without anyone adding it to a list. A package without a tsconfig is an error, not a
 * package that goes unchecked.
 */
export function typecheckProjects(root: string = REPOSITORY_ROOT): string[] {
  const packages = readdirSync(join(root, PACKAGES_DIRECTORY), { withFileTypes: true })
    .filter((entry) => entry.isDirectory() && existsSync(join(root, PACKAGES_DIRECTORY, entry.name, 'package.json')))
    .map((entry) => entry.name)
    .sort();
  const unchecked = packages.filter((name) => !existsSync(join(root, PACKAGES_DIRECTORY, name, 'tsconfig.json')));
  if (unchecked.length > 0) {
    throw new Error(
      `Every package needs a tsconfig.json so the type-check covers it; missing in: ${unchecked.map((name) => `${PACKAGES_DIRECTORY}/${name}`).join(', ')}`,
    );
  }
  return ['tsconfig.json', ...packages.map((name) => `${PACKAGES_DIRECTORY}/${name}/tsconfig.json`)];
}
