import { buildClient } from '@parley/local/client-build';

/**
 * Builds the client once before any browser test, from the current sources: every test then runs against the
 * production build served as static files with `/config.json`, as CloudFront serves it. A failed build fails the run.
 */
export default function buildClientOnce(): void {
  buildClient();
}
