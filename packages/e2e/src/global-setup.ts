import { spawnSync } from 'node:child_process';
import { CLIENT_DIR } from '@parley/local';

/**
 * Builds the client once before any browser test, from the current sources: every test then runs against the
 * production build served as static files with `/config.json`, as CloudFront serves it. A failed build fails the run.
 */
export default function buildClient(): void {
  const result = spawnSync('pnpm', ['exec', 'vite', 'build', '--logLevel', 'warn'], {
    cwd: CLIENT_DIR,
    stdio: 'inherit',
  });
  if (result.status !== 0) throw new Error(`The client build failed (exit ${result.status ?? result.signal})`);
}
