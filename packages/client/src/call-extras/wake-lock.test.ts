import { describe, expect, it } from 'vitest';
import { ScreenAwake, type VisibilitySource, type WakeLockLike, type WakeLockSentinelLike } from './wake-lock';

/** A page whose visibility the test sets, and a wake lock that grants (or refuses) like a browser. */
function fakes(options: { refuse?: boolean } = {}) {
  const listeners = new Set<() => void>();
  const page: VisibilitySource & { show(visible: boolean): void } = {
    visibilityState: 'visible',
    addEventListener: (_type, listener) => listeners.add(listener),
    removeEventListener: (_type, listener) => listeners.delete(listener),
    show(visible) {
      (this as { visibilityState: DocumentVisibilityState }).visibilityState = visible ? 'visible' : 'hidden';
      for (const listener of listeners) listener();
    },
  };
  const sentinels: (WakeLockSentinelLike & { released: boolean })[] = [];
  const wakeLock: WakeLockLike = {
    async request() {
      if (options.refuse) throw new DOMException('Wake Lock permission request denied', 'NotAllowedError');
      const sentinel = {
        released: false,
        async release() {
          sentinel.released = true;
        },
      };
      sentinels.push(sentinel);
      return sentinel;
    },
  };
  const settle = () => new Promise((resolve) => setTimeout(resolve));
  return { page, wakeLock, sentinels, listeners, settle };
}

describe('when a call keeps the screen awake', () => {
  it('should hold a lock while started and release it when stopped', async () => {
    const { page, wakeLock, sentinels, listeners, settle } = fakes();
    const awake = new ScreenAwake(wakeLock, page);
    awake.start();
    await settle();
    expect(awake.held).toBe(true);
    await awake.stop();
    expect(awake.held).toBe(false);
    expect(sentinels.map((s) => s.released)).toEqual([true]);
    expect(listeners.size).toBe(0);
  });

  it('should take the lock again when the tab is shown after the browser released it', async () => {
    const { page, wakeLock, sentinels, settle } = fakes();
    const awake = new ScreenAwake(wakeLock, page);
    awake.start();
    await settle();
    // Hiding the tab: the browser releases the lock by itself.
    page.show(false);
    (sentinels[0] as { released: boolean }).released = true;
    await settle();
    expect(awake.held).toBe(false);
    expect(sentinels).toHaveLength(1); // a hidden tab does not ask
    page.show(true);
    await settle();
    expect(awake.held).toBe(true);
    expect(sentinels).toHaveLength(2);
  });

  it('should not ask again while a lock is still held', async () => {
    const { page, wakeLock, sentinels, settle } = fakes();
    const awake = new ScreenAwake(wakeLock, page);
    awake.start();
    await settle();
    page.show(true);
    await settle();
    expect(sentinels).toHaveLength(1);
  });

  it('should do nothing where the API is absent or the browser refuses', async () => {
    const absent = fakes();
    const none = new ScreenAwake(undefined, absent.page);
    none.start();
    expect(none.held).toBe(false);
    expect(absent.listeners.size).toBe(0);

    const refused = fakes({ refuse: true });
    const awake = new ScreenAwake(refused.wakeLock, refused.page);
    awake.start();
    await refused.settle();
    expect(awake.held).toBe(false);
    await awake.stop();
  });

  it('should give back a lock granted after it was stopped', async () => {
    const { page, wakeLock, sentinels } = fakes();
    const awake = new ScreenAwake(wakeLock, page);
    awake.start();
    await awake.stop(); // the request is still pending here
    expect(sentinels.map((s) => s.released)).toEqual([true]);
    expect(awake.held).toBe(false);
  });
});
