import { button } from './common';
import { h } from './dom';

/** The first page: one button that makes a room and opens its lobby. */
export function landingView(onStart: () => void): HTMLElement {
  const start = button({
    label: 'Start a call',
    icon: 'camera',
    onClick: onStart,
    className: 'btn primary big',
    testId: 'start-call',
  });
  return h(
    'section',
    { class: 'page landing' },
    h(
      'div',
      { class: 'hero' },
      h('p', { class: 'brand' }, 'Parley'),
      h('h1', { tabindex: -1 }, 'Video calls that stay between the two of you.'),
      h(
        'p',
        { class: 'lead' },
        'Start a call, send the link, talk. Video, voice, chat and files go straight from browser to browser, ' +
          'encrypted. No account, nothing to install.',
      ),
      start,
      h(
        'ul',
        { class: 'features' },
        h('li', {}, 'End-to-end encrypted, with a code you can compare'),
        h('li', {}, 'Chat and files of any size'),
        h('li', {}, 'Runs on your own server'),
      ),
    ),
  );
}
