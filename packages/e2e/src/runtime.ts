import { CLIENT_DIST_DIR, type LocalSystem, type LocalSystemOptions, startLocalSystem } from '@parley/local';

/**
 * Starts the whole local system for one test: real coturn (required: a relay test without TURN would prove
 * nothing), dynalite, the API Gateway stand-in with the real handlers, and the built client served with
 * `/config.json` exactly as CloudFront serves it. Every port is a free loopback one.
 */
export function startTestRuntime(options: Omit<LocalSystemOptions, 'turn'> = {}): Promise<LocalSystem> {
  // The client was built once by the e2e global setup; serve that build, never rebuild per test.
  return startLocalSystem({ turn: 'on', logLevel: 'SILENT', site: { root: CLIENT_DIST_DIR }, ...options });
}
