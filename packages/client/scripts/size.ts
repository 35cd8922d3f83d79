/**
 * The client's size: every built asset, raw and gzip, and the initial load's JS + CSS (what index.html references;
 * lazily imported chunks are listed apart) against the budget.
 * Builds the client first when the build is missing or older than its sources. Exits 1 over budget.
 *
 * Usage: pnpm bench size   (or: tsx packages/client/scripts/size.ts)
 */
import { existsSync, readdirSync, readFileSync, statSync } from 'node:fs';
import { extname, join, relative } from 'node:path';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import { buildClient, CLIENT_DIST_DIR, isClientBuildStale } from '@parley/local/client-build';

/**
 * The initial load (JS + CSS) must gzip to at most this many bytes (32 KB, decimal as the comparison figures are): room
 * enough that client code can stay plain; an optional feature that does not fit loads lazily as its own chunk.
 */
export const CLIENT_GZIP_BUDGET_BYTES = 32_000;

const distDir = CLIENT_DIST_DIR;

function files(path: string): string[] {
  if (!existsSync(path)) return [];
  if (!statSync(path).isDirectory()) return [path];
  return readdirSync(path).flatMap((name) => files(join(path, name)));
}

if (await isClientBuildStale()) {
  console.log('building the client (vite build)…');
  buildClient();
}

const rows = files(distDir)
  .map((file) => {
    const bytes = readFileSync(file);
    return {
      asset: relative(distDir, file),
      kind: extname(file).slice(1),
      raw: bytes.length,
      gzip: gzipSync(bytes, { level: 9 }).length,
      brotli: brotliCompressSync(bytes, { params: { [constants.BROTLI_PARAM_QUALITY]: 11 } }).length,
    };
  })
  .sort((a, b) => b.gzip - a.gzip);

const kb = (n: number) => (n / 1000).toFixed(2);
const line = (cells: string[]) =>
  `| ${cells[0]?.padEnd(44)} | ${cells
    .slice(1)
    .map((c) => c.padStart(9))
    .join(' | ')} |`;
console.log(line(['asset', 'raw KB', 'gzip KB', 'brotli KB']));
console.log(line(['-'.repeat(44), '-'.repeat(9), '-'.repeat(9), '-'.repeat(9)]));
for (const row of rows) console.log(line([row.asset, kb(row.raw), kb(row.gzip), kb(row.brotli)]));
// The initial load is what index.html references; chunks the app imports later (a lazy feature) load on use.
const initial = new Set(
  [...readFileSync(join(distDir, 'index.html'), 'utf8').matchAll(/(?:src|href)="\/?([^"]+)"/g)].map(
    (match) => match[1],
  ),
);
const app = rows.filter((row) => (row.kind === 'js' || row.kind === 'css') && initial.has(row.asset));
const lazy = rows.filter((row) => row.kind === 'js' && !initial.has(row.asset));
const sum = (key: 'raw' | 'gzip' | 'brotli') => app.reduce((total, row) => total + row[key], 0);
console.log(line(['initial load: JS + CSS', kb(sum('raw')), kb(sum('gzip')), kb(sum('brotli'))]));
if (lazy.length > 0)
  console.log(`\nLoaded later, on use (not in the initial load): ${lazy.map((row) => row.asset).join(', ')}`);
const total = sum('gzip');
const verdict = total <= CLIENT_GZIP_BUDGET_BYTES ? 'within' : 'OVER';
console.log(
  `\nInitial JS + CSS gzip: ${total} bytes of a ${CLIENT_GZIP_BUDGET_BYTES}-byte budget (${verdict} budget, ` +
    `${Math.abs(CLIENT_GZIP_BUDGET_BYTES - total)} bytes ${total <= CLIENT_GZIP_BUDGET_BYTES ? 'to spare' : 'over'}).`,
);
process.exit(total <= CLIENT_GZIP_BUDGET_BYTES ? 0 : 1);
