import { readFile } from 'node:fs/promises';
import { chromium, type Browser as PlaywrightBrowser, type Page as PlaywrightPage } from 'playwright-core';
import puppeteer, {
  type ElementHandle,
  type Browser as PuppeteerBrowser,
  type Page as PuppeteerPage,
} from 'puppeteer-core';

/** Debian's Chromium binary itself: the `/usr/bin/chromium` wrapper loads extras and prints shell noise. */
export const CHROMIUM_EXECUTABLE = process.env.PARLEY_CHROMIUM ?? '/usr/lib/chromium/chromium';

/** Debian's Firefox ESR, driven over WebDriver BiDi (Playwright needs its own patched Firefox build). */
export const FIREFOX_EXECUTABLE = process.env.PARLEY_FIREFOX ?? '/usr/lib/firefox-esr/firefox-esr';

/** All test traffic is on loopback, which Chromium otherwise leaves out of ICE gathering (it then gathers nothing). */
const LOOPBACK_ICE_FLAG = '--allow-loopback-in-peer-connection';

/** Chromium flags for a quiet, headless, test-only browser. */
export const CHROMIUM_BASE_FLAGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  LOOPBACK_ICE_FLAG,
];

/** A fake camera and microphone (test pattern and beep), and a fake screen to share. */
export const CHROMIUM_FAKE_MEDIA_FLAGS = ['--use-fake-device-for-media-stream'];

/** Grants camera, microphone and screen capture without a prompt. */
const CHROMIUM_AUTO_GRANT_FLAGS = ['--use-fake-ui-for-media-stream', '--auto-accept-this-tab-capture'];

/** Firefox prefs: fake media, no permission prompt, and ICE on loopback. */
const FIREFOX_PREFS: Record<string, unknown> = {
  'media.navigator.streams.fake': true,
  'media.navigator.permission.disabled': true,
  // Without a (fake) capture grant Firefox gathers only on the default-route address — or nothing.
  'media.navigator.permission.fake': true,
  'media.peerconnection.ice.loopback': true,
  'media.autoplay.default': 0,
  'media.autoplay.blocking_policy': 0,
  'browser.shell.checkDefaultBrowser': false,
  'datareporting.policy.dataSubmissionEnabled': false,
  'toolkit.telemetry.reportingpolicy.firstRun': false,
};

/** What a user's page is asked to find: a test id, or an ARIA role with its accessible name. */
export type UiTarget =
  | { testId: string }
  | { role: 'button' | 'link' | 'textbox' | 'alert' | 'status' | 'heading'; name: string };

/** How camera and microphone behave in a launched browser. */
export type MediaMode =
  /** Fake devices, granted without a prompt: the normal case. */
  | 'granted'
  /** Fake devices exist but every permission prompt is denied. */
  | 'denied'
  /** No capture devices at all (this machine has no camera or microphone). */
  | 'no-devices';

/** Options of {@link launchBrowser}. */
export interface LaunchOptions {
  media?: MediaMode;
  /** Extra browser flags (Chromium only). */
  extraArgs?: string[];
  /** Chromium only: how many fake cameras there are (default one), e.g. to flip between front and back. */
  fakeCameras?: number;
  /** Viewport of every page, e.g. for screenshots. */
  viewport?: { width: number; height: number };
  /**
   * Chromium only: run one user in a real profile kept in this (empty, existing) folder instead of incognito-like
   * contexts. Off the record, Chromium keeps Blob data and the origin's files in memory; a profile keeps them on disk.
   */
  profileDir?: string;
  /** Another browser executable, e.g. a wrapper that runs the browser inside a network namespace. */
  executablePath?: string;
  /** Origins to treat as secure contexts (camera, microphone, WebCrypto) though served over plain http. */
  secureOrigins?: string[];
  /**
   * Whether ICE may use the loopback interface (default true: every browser test outside the network lab talks over
   * loopback). A browser in a lab home has a real interface and, like a person's, no loopback candidates.
   */
  loopbackIce?: boolean;
  /** Firefox only: the port of its WebDriver BiDi server (default: any free one). */
  debuggingPort?: number;
}

/** One user's tab, driven the same way in Chromium (Playwright) and Firefox (Puppeteer over BiDi). */
export interface UserPage {
  readonly browser: BrowserKind;
  /** Registers a script that runs before any page script on every document this page loads. */
  addInitScript<A>(script: (arg: A) => void, arg: A): Promise<void>;
  goto(url: string): Promise<void>;
  /** The page's current URL. */
  url(): string;
  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R>;
  /** Makes `window[name](text)` call `fn` in the test process; survives navigations. */
  exposeFunction(name: string, fn: (text: string) => void): Promise<void>;
  click(target: UiTarget): Promise<void>;
  fill(target: UiTarget, value: string): Promise<void>;
  /** Presses one key on the page, as a keyboard does (e.g. a call shortcut). */
  press(key: string): Promise<void>;
  /** Whether the target is attached and visible right now (no waiting). */
  isVisible(target: UiTarget): Promise<boolean>;
  /** The target's text content right now, or undefined when it is not there. */
  textOf(target: UiTarget): Promise<string | undefined>;
  screenshot(path: string): Promise<void>;
  /** Clicks the last element matching `selector` (a download link) and answers the downloaded file's bytes. */
  download(selector: string): Promise<Buffer>;
  /** Like {@link UserPage.download}, but answers the file's path (valid until the page closes), for large files. */
  downloadPath(selector: string): Promise<string>;
  /** Puts a file from disk into the file input `selector`, as choosing it in the file dialog does. */
  pickFile(selector: string, path: string): Promise<void>;
  /** Console errors and uncaught exceptions, for failure messages. */
  errors(): string[];
  /** Closes the tab and its browser context (its storage and permissions). */
  close(): Promise<void>;
}

export type BrowserKind = 'chromium' | 'firefox';

/** A launched browser; each {@link newUser} is an isolated context (its own storage, like another person). */
export interface TestBrowser {
  readonly kind: BrowserKind;
  newUser(): Promise<UserPage>;
  close(): Promise<void>;
}

/** Launches Chromium or Firefox headless with fake media; throws (a test failure, never a skip) if it cannot. */
export function launchBrowser(kind: BrowserKind, options: LaunchOptions = {}): Promise<TestBrowser> {
  return kind === 'chromium' ? launchChromium(options) : launchFirefox(options);
}

function chromiumArgs(media: MediaMode, extraArgs: string[], options: LaunchOptions): string[] {
  const secureOrigins = options.secureOrigins ?? [];
  const args = [...CHROMIUM_BASE_FLAGS, ...extraArgs].filter(
    (flag) => options.loopbackIce !== false || flag !== LOOPBACK_ICE_FLAG,
  );
  if (secureOrigins.length > 0) args.push(`--unsafely-treat-insecure-origin-as-secure=${secureOrigins.join(',')}`);
  // The fake capture flag's value configures the fake devices (one flag: a second would override the first).
  const fakeMedia = options.fakeCameras
    ? [`${CHROMIUM_FAKE_MEDIA_FLAGS[0]}=device-count=${options.fakeCameras}`]
    : CHROMIUM_FAKE_MEDIA_FLAGS;
  if (media === 'granted') args.push(...fakeMedia, ...CHROMIUM_AUTO_GRANT_FLAGS);
  if (media === 'denied') args.push(...fakeMedia, '--deny-permission-prompts');
  // 'no-devices': no fake devices; this host has no camera or microphone, so capture finds nothing.
  return args;
}

async function launchChromium(options: LaunchOptions): Promise<TestBrowser> {
  const media = options.media ?? 'granted';
  if (options.profileDir) return launchChromiumProfile(options.profileDir, media, options);
  const browser: PlaywrightBrowser = await chromium.launch({
    executablePath: options.executablePath ?? CHROMIUM_EXECUTABLE,
    headless: true,
    args: chromiumArgs(media, options.extraArgs ?? [], options),
  });
  return {
    kind: 'chromium',
    async newUser() {
      const context = await browser.newContext({
        viewport: options.viewport ?? null,
        ...(media === 'granted' ? { permissions: ['camera', 'microphone'] } : {}),
        acceptDownloads: true,
      });
      return new ChromiumUserPage(await context.newPage());
    },
    close: () => browser.close(),
  };
}

/** Chromium with a real profile: one context (the profile), so one user per launched browser. */
async function launchChromiumProfile(profileDir: string, media: MediaMode, options: LaunchOptions) {
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM_EXECUTABLE,
    headless: true,
    args: chromiumArgs(media, options.extraArgs ?? [], options),
    viewport: options.viewport ?? null,
    ...(media === 'granted' ? { permissions: ['camera', 'microphone'] } : {}),
    acceptDownloads: true,
  });
  let users = 0;
  return {
    kind: 'chromium' as const,
    async newUser() {
      if (++users > 1) throw new Error('A Chromium launched with a profile has one user; launch another for more');
      return new ChromiumUserPage(context.pages()[0] ?? (await context.newPage()));
    },
    close: () => context.close(),
  };
}

async function launchFirefox(options: LaunchOptions): Promise<TestBrowser> {
  const media = options.media ?? 'granted';
  const prefs: Record<string, unknown> = { ...FIREFOX_PREFS };
  if (media === 'denied') {
    prefs['media.navigator.permission.disabled'] = false;
    prefs['permissions.default.camera'] = 2;
    prefs['permissions.default.microphone'] = 2;
  }
  if (media === 'no-devices') prefs['media.navigator.streams.fake'] = false;
  if (options.loopbackIce === false) prefs['media.peerconnection.ice.loopback'] = false;
  if (options.secureOrigins) {
    prefs['dom.securecontext.allowlist'] = options.secureOrigins.map((origin) => new URL(origin).hostname).join(',');
  }
  const browser: PuppeteerBrowser = await puppeteer.launch({
    browser: 'firefox',
    executablePath: options.executablePath ?? FIREFOX_EXECUTABLE,
    ...(options.debuggingPort ? { debuggingPort: options.debuggingPort } : {}),
    headless: true,
    extraPrefsFirefox: prefs,
    ...(options.viewport ? { defaultViewport: options.viewport } : {}),
  });
  return {
    kind: 'firefox',
    async newUser() {
      const context = await browser.createBrowserContext();
      return new FirefoxUserPage(await context.newPage());
    },
    close: () => browser.close(),
  };
}

class ChromiumUserPage implements UserPage {
  readonly browser = 'chromium' as const;
  private readonly problems: string[] = [];

  constructor(readonly page: PlaywrightPage) {
    page.on('console', (message) => {
      if (message.type() === 'error') this.problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => this.problems.push(`uncaught: ${error.message}`));
  }

  private locate(target: UiTarget) {
    return 'testId' in target
      ? this.page.getByTestId(target.testId)
      : this.page.getByRole(target.role, { name: target.name });
  }

  async addInitScript<A>(script: (arg: A) => void, arg: A): Promise<void> {
    await this.page.addInitScript(script as (arg: unknown) => void, arg);
  }

  async goto(url: string): Promise<void> {
    await this.page.goto(url);
  }

  url(): string {
    return this.page.url();
  }

  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> {
    // Our page functions take plain JSON arguments, which both drivers pass through unchanged.
    return this.page.evaluate(fn as (arg: unknown) => Promise<R>, arg);
  }

  async exposeFunction(name: string, fn: (text: string) => void): Promise<void> {
    await this.page.exposeFunction(name, fn);
  }

  async click(target: UiTarget): Promise<void> {
    await this.locate(target).click();
  }

  async fill(target: UiTarget, value: string): Promise<void> {
    await this.locate(target).fill(value);
  }

  async press(key: string): Promise<void> {
    await this.page.keyboard.press(key);
  }

  async isVisible(target: UiTarget): Promise<boolean> {
    return this.locate(target).first().isVisible();
  }

  async textOf(target: UiTarget): Promise<string | undefined> {
    const located = this.locate(target).first();
    if ((await located.count()) === 0) return undefined;
    return (await located.textContent({ timeout: 1_000 })) ?? undefined;
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path });
  }

  async download(selector: string): Promise<Buffer> {
    return readFile(await this.downloadPath(selector));
  }

  async downloadPath(selector: string): Promise<string> {
    const [download] = await Promise.all([
      this.page.waitForEvent('download'),
      this.page.locator(selector).last().click(),
    ]);
    return download.path();
  }

  async pickFile(selector: string, path: string): Promise<void> {
    await this.page.setInputFiles(selector, path);
  }

  errors(): string[] {
    return [...this.problems];
  }

  async close(): Promise<void> {
    await this.page.context().close();
  }
}

/** Puppeteer's ARIA query handler, e.g. `::-p-aria([name="Join"][role="button"])`. */
function puppeteerSelector(target: UiTarget): string {
  if ('testId' in target) return `[data-testid=${JSON.stringify(target.testId)}]`;
  return `::-p-aria([name=${JSON.stringify(target.name)}][role="${target.role}"])`;
}

const NO_FIREFOX_DOWNLOADS =
  'Downloads are only driven in Chromium (Playwright); Puppeteer over BiDi has no download API here';

class FirefoxUserPage implements UserPage {
  readonly browser = 'firefox' as const;
  private readonly problems: string[] = [];

  constructor(readonly page: PuppeteerPage) {
    page.on('console', (message) => {
      if (message.type() === 'error') this.problems.push(`console: ${message.text()}`);
    });
    page.on('pageerror', (error) => this.problems.push(`uncaught: ${(error as Error).message}`));
  }

  async addInitScript<A>(script: (arg: A) => void, arg: A): Promise<void> {
    await this.page.evaluateOnNewDocument(script, arg);
  }

  async goto(url: string): Promise<void> {
    await this.page.goto(url);
  }

  url(): string {
    return this.page.url();
  }

  evaluate<R, A>(fn: (arg: A) => R | Promise<R>, arg: A): Promise<R> {
    return this.page.evaluate(fn as (arg: unknown) => Promise<R>, arg) as Promise<R>;
  }

  async exposeFunction(name: string, fn: (text: string) => void): Promise<void> {
    await this.page.exposeFunction(name, fn);
  }

  async click(target: UiTarget): Promise<void> {
    await this.front();
    await this.page.locator(puppeteerSelector(target)).click();
  }

  async fill(target: UiTarget, value: string): Promise<void> {
    await this.front();
    await this.page.locator(puppeteerSelector(target)).fill(value);
  }

  async press(key: string): Promise<void> {
    await this.front();
    await this.page.keyboard.press(key as Parameters<PuppeteerPage['keyboard']['press']>[0]);
  }

  /**
   * Puts this tab in front of its window: a locator waits for its element to be stable across animation frames,
   * which Firefox throttles in a background tab — with two users in one Firefox, a click on the older tab's page
   * took about 28 s.
   */
  private async front(): Promise<void> {
    await this.page.bringToFront();
  }

  async isVisible(target: UiTarget): Promise<boolean> {
    const handle = await this.page.$(puppeteerSelector(target));
    if (!handle) return false;
    try {
      return await handle.isVisible();
    } finally {
      await handle.dispose();
    }
  }

  async textOf(target: UiTarget): Promise<string | undefined> {
    const handle = await this.page.$(puppeteerSelector(target));
    if (!handle) return undefined;
    try {
      return (await handle.evaluate((element) => element.textContent)) ?? undefined;
    } finally {
      await handle.dispose();
    }
  }

  async screenshot(path: string): Promise<void> {
    await this.page.screenshot({ path: path as `${string}.png` });
  }

  async download(): Promise<Buffer> {
    throw new Error(NO_FIREFOX_DOWNLOADS);
  }

  async downloadPath(): Promise<string> {
    throw new Error(NO_FIREFOX_DOWNLOADS);
  }

  async pickFile(selector: string, path: string): Promise<void> {
    const input = await this.page.$(selector);
    if (!input) throw new Error(`No file input ${selector}`);
    try {
      await (input as ElementHandle<HTMLInputElement>).uploadFile(path);
    } finally {
      await input.dispose();
    }
  }

  errors(): string[] {
    return [...this.problems];
  }

  async close(): Promise<void> {
    const context = this.page.browserContext();
    await this.page.close();
    await context.close();
  }
}
