import { type TestGrant, testConnection } from '../connection-test';
import { h, replace } from './dom';

/*
 * What the lobby's "Test my connection" shows while it runs and once it has a verdict. Loaded (with connection-test.ts)
 * only when the person presses the button: most people never do, so it is not part of the initial load.
 */

/** Runs the test with `grant`'s TURN credentials and shows its progress, then its verdict, in `result`. */
export async function showConnectionTest(grant: TestGrant, result: HTMLElement): Promise<void> {
  for (const key of ['verdict', 'udp', 'tcp']) delete result.dataset[key];
  replace(result, h('p', { class: 'muted' }, 'Testing whether calls can get through from this network…'));
  const report = await testConnection(grant);
  // What each transport found, for the curious (and for tests): the words below are for people.
  result.dataset.verdict = report.verdict;
  result.dataset.udp = report.results.udp;
  result.dataset.tcp = report.results.tcp;
  replace(result, h('p', { class: 'connection-verdict' }, report.title), h('p', { class: 'muted' }, report.detail));
}
