import type { LocalSystem, LocalSystemOptions } from '@parley/local';
import { afterAll, afterEach, beforeAll, beforeEach } from 'vitest';
import { type BrowserKind, launchBrowser, type TestBrowser } from './browsers';
import type { AppUser } from './parley-app';
import { startTestRuntime } from './runtime';

/** What a test file gets from {@link useCallFixture}. */
export interface CallFixture {
  /** The browser of `kind` launched for this file. */
  browser(kind?: BrowserKind): TestBrowser;
  /** This test's local system (started before it, or by {@link CallFixture.start}). */
  system(): LocalSystem;
  /** Starts this test's local system with particular options (files that pass `perTestRuntime: false`). */
  start(options?: Parameters<typeof startTestRuntime>[0]): Promise<LocalSystem>;
  /** Stops this test's local system early (e.g. between runs inside one test). */
  stop(): Promise<void>;
  /** Closes these users' tabs after the test, whatever happens. */
  track(...users: AppUser[]): void;
  /** The built site of this test's system (what a stranger knows). */
  siteUrl(): string;
  /** The owner link of this test's system: the site with the owner key in its fragment. */
  ownerLink(): string;
}

/**
 * Registers the hooks every browser test file needs: its browsers launched once per file (a launch failure fails
 * the file), a fresh local system per test on free loopback ports, and everything closed after each test.
 */
export function useCallFixture(
  options: { browsers?: BrowserKind[]; perTestRuntime?: boolean; runtime?: Omit<LocalSystemOptions, 'turn'> } = {},
): CallFixture {
  const kinds = options.browsers ?? ['chromium'];
  const browsers = new Map<BrowserKind, TestBrowser>();
  const users: AppUser[] = [];
  let system: LocalSystem | undefined;

  const fixture: CallFixture = {
    browser(kind = 'chromium') {
      const browser = browsers.get(kind);
      if (!browser) throw new Error(`No ${kind} was launched for this file`);
      return browser;
    },
    system() {
      if (!system) throw new Error('No local system is running for this test');
      return system;
    },
    async start(runtimeOptions) {
      await fixture.stop();
      system = await startTestRuntime(runtimeOptions);
      return system;
    },
    async stop() {
      await Promise.allSettled(users.splice(0).map((user) => user.close()));
      await system?.stop();
      system = undefined;
    },
    track(...added) {
      users.push(...added);
    },
    siteUrl() {
      const url = fixture.system().siteUrl;
      if (!url) throw new Error('The local system serves no site');
      return url;
    },
    ownerLink() {
      const link = fixture.system().ownerLink();
      if (!link) throw new Error('The local system serves no site, or is open to anyone (no owner link)');
      return link;
    },
  };

  beforeAll(async () => {
    const launched = await Promise.allSettled(kinds.map((kind) => launchBrowser(kind)));
    launched.forEach((result, index) => {
      if (result.status === 'fulfilled') browsers.set(kinds[index] as BrowserKind, result.value);
    });
    const failure = launched.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason; // afterAll still closes the ones that did start
  });
  afterAll(async () => {
    await Promise.allSettled([...browsers.values()].map((browser) => browser.close()));
  });
  if (options.perTestRuntime ?? true) {
    beforeEach(async () => {
      await fixture.start(options.runtime);
    });
  }
  afterEach(() => fixture.stop());
  return fixture;
}
