import { describe, expect, it } from 'vitest';
import { type AlertOutputs, type AlertPage, JoinAlert, joinedTitle } from './join-alert';

function fakes(options: { hidden: boolean; allowed: boolean }) {
  const listeners = new Set<() => void>();
  const page: AlertPage & { show(): void } = {
    hidden: options.hidden,
    title: 'Parley',
    addEventListener: (_type, listener) => listeners.add(listener),
    removeEventListener: (_type, listener) => listeners.delete(listener),
    show() {
      (this as { hidden: boolean }).hidden = false;
      for (const listener of listeners) listener();
    },
  };
  const heard = { tones: 0, notifications: [] as string[] };
  const outputs: AlertOutputs = {
    playTone: () => {
      heard.tones += 1;
    },
    notificationsAllowed: () => options.allowed,
    notify: (title) => heard.notifications.push(title),
  };
  return { page, outputs, heard, listeners };
}

describe('when the other person joins', () => {
  it('should mark the title and beep while the tab is in the background, and restore the title when shown', () => {
    const { page, outputs, heard } = fakes({ hidden: true, allowed: false });
    const alert = new JoinAlert(page, outputs);
    alert.peerJoined('Ada');
    expect(page.title).toBe('● Ada joined — Parley');
    expect(heard.tones).toBe(1);
    expect(heard.notifications).toEqual([]); // not allowed: no notification, and nothing asked
    page.show();
    expect(page.title).toBe('Parley');
  });

  it('should send a system notification only when the person allowed them', () => {
    const { page, outputs, heard } = fakes({ hidden: true, allowed: true });
    new JoinAlert(page, outputs).peerJoined('Ada');
    expect(heard.notifications).toEqual(['Ada joined your call']);
  });

  it('should stay quiet while the tab is in view (the page shows it already)', () => {
    const { page, outputs, heard } = fakes({ hidden: false, allowed: true });
    new JoinAlert(page, outputs).peerJoined('Ada');
    expect(page.title).toBe('Parley');
    expect(heard).toEqual({ tones: 0, notifications: [] });
  });

  it('should keep the page title underneath when they join twice before the tab is seen', () => {
    const { page, outputs } = fakes({ hidden: true, allowed: false });
    const alert = new JoinAlert(page, outputs);
    alert.peerJoined('Ada');
    alert.peerJoined('Ada');
    expect(page.title).toBe(joinedTitle('Ada', 'Parley'));
    page.show();
    expect(page.title).toBe('Parley');
  });

  it('should put the title back and stop listening when the call ends', () => {
    const { page, outputs, listeners } = fakes({ hidden: true, allowed: false });
    const alert = new JoinAlert(page, outputs);
    alert.peerJoined('Ada');
    alert.dispose();
    expect(page.title).toBe('Parley');
    expect(listeners.size).toBe(0);
  });
});
