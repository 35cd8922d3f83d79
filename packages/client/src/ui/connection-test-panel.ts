import type { TestGrant } from '../connection-test';
import { button } from './common';
import { h, replace } from './dom';

/*
 * The lobby's "Test my connection": a button, disabled until the server has handed this page TURN credentials, and
 * the verdict shown in place. The test itself (connection-test.ts) is a lazy chunk, loaded on the first click: few
 * people run it, and Vite's preload helper is in the initial load anyway (call-verification is lazy too).
 */

const TEST_LABEL = 'Test my connection';

/** The button and its result; `offer` enables it with the credentials to test with (the latest ones win). */
export function connectionTestPanel(): { element: HTMLElement; offer(grant: TestGrant): void } {
  let grant: TestGrant | undefined;
  const result = h('div', {
    class: 'connection-result',
    role: 'status',
    'aria-live': 'polite',
    'data-testid': 'connection-result',
  });
  const start = button(
    TEST_LABEL,
    undefined,
    () => {
      const tested = grant;
      if (!tested) return;
      start.disabled = true;
      for (const key of ['verdict', 'udp', 'tcp']) delete result.dataset[key];
      replace(result, h('p', { class: 'muted' }, 'Testing whether calls can get through from this network…'));
      void import('../connection-test')
        .then(({ testConnection }) => testConnection(tested))
        .then((report) => {
          // What each transport found, for the curious (and for tests): the words above are for people.
          result.dataset.verdict = report.verdict;
          result.dataset.udp = report.results.udp;
          result.dataset.tcp = report.results.tcp;
          replace(
            result,
            h('p', { class: 'connection-verdict' }, report.title),
            h('p', { class: 'muted' }, report.detail),
          );
          start.disabled = false;
        });
    },
    'btn',
    'test-connection',
  );
  start.disabled = true;
  return {
    element: h('div', { class: 'connection-test' }, start, result),
    offer: (latest) => {
      const idle = grant === undefined;
      grant = latest;
      if (idle) start.disabled = false;
    },
  };
}
