import type { TestBrowser, UiTarget, UserPage } from './browsers';
import { FAKE_SCREEN, installFakeScreen } from './fake-screen';
import {
  CALL_DEADLINE_MS,
  rtcSnapshot,
  waitForConnected,
  waitForMediaFlowing,
  waitForRemoteVideo,
} from './media-checks';
import { installRtcProbe, RTC_PROBE_TIMING, type RtcSnapshot } from './rtc-probe';
import { waitUntil } from './wait';

/*
 * Drives the Parley app the way a person does: the buttons they click, found by accessible name or test id. The
 * names live here, once, so a UI wording change is one edit.
 */

/** The controls and regions tests use. */
export const UI = {
  startCall: { role: 'button', name: 'Start a call' },
  join: { testId: 'join' },
  problem: { testId: 'problem' },
  remoteVideo: '[data-testid="remote-video"]',
  callStatus: { testId: 'call-status' },
  hangUp: { testId: 'hang-up' },
  shareScreen: { testId: 'share-screen' },
  chatToggle: { testId: 'chat-toggle' },
  chatInput: { testId: 'chat-input' },
  chatSend: { testId: 'chat-send' },
  chatLog: { testId: 'chat-log' },
  fileInput: '[data-testid="file-input"]',
  fileAccept: { testId: 'file-accept' },
  fileCancel: { testId: 'file-cancel' },
  qualityIndicator: { testId: 'quality-indicator' },
  verificationCode: { testId: 'verification-code' },
  audioOnlyOffer: { testId: 'audio-only-offer' },
  audioOnly: { role: 'button', name: 'Audio only' },
} as const satisfies Record<string, UiTarget | string>;

/** A `?…` query of diagnostics options (see the client's call-options.ts). */
export type AppQuery = '' | '?relay' | '?tcp' | '?debug';

/** Init script: records when the person clicked Join (capture phase, before the app reacts). */
function recordJoinClicks(): void {
  document.addEventListener(
    'click',
    (event) => {
      const target = event.target as Element | null;
      if (target?.closest?.('[data-testid="join"]')) {
        (window as unknown as { __parleyJoinClickedAt?: number }).__parleyJoinClickedAt = Date.now();
      }
    },
    true,
  );
}

/** One person using Parley in a browser tab. */
export class AppUser {
  private constructor(
    readonly page: UserPage,
    readonly label: string,
  ) {}

  /** A new person (own browser context) with the RTC probe installed, on no page yet. */
  static async create(browser: TestBrowser, label: string): Promise<AppUser> {
    const page = await browser.newUser();
    await page.addInitScript(installRtcProbe, RTC_PROBE_TIMING);
    await page.addInitScript(recordJoinClicks, null);
    if (browser.kind === 'firefox') await page.addInitScript(installFakeScreen, FAKE_SCREEN);
    return new AppUser(page, label);
  }

  /** Opens the landing page and starts a call; answers the room link the app shows for sharing. */
  async startCall(siteUrl: string, query: AppQuery = ''): Promise<string> {
    await this.page.goto(`${siteUrl}/${query}`);
    await this.waitFor(UI.startCall, 'the Start a call button');
    await this.page.click(UI.startCall);
    return waitUntil(
      () => {
        const url = this.page.url();
        return url.includes('#') ? url : undefined;
      },
      { description: `${this.label}: a room link after Start a call` },
    );
  }

  /** Opens a room link (as the other person does) and waits for the lobby. */
  async open(link: string): Promise<void> {
    await this.page.goto(link);
    await this.waitFor(UI.join, 'the lobby');
  }

  /** Clicks Join in the lobby. */
  async join(): Promise<void> {
    await this.waitFor(UI.join, 'the Join button');
    await this.page.click(UI.join);
  }

  /** Waits until `target` is visible. */
  async waitFor(target: UiTarget, what: string, timeoutMs = CALL_DEADLINE_MS): Promise<void> {
    await waitUntil(() => this.page.isVisible(target), { description: `${this.label}: ${what}`, timeoutMs });
  }

  /** Waits until `target` shows text containing `text`. */
  async waitForText(target: UiTarget, text: string, timeoutMs = CALL_DEADLINE_MS): Promise<string> {
    return waitUntil(
      async () => {
        const content = await this.page.textOf(target);
        return content?.includes(text) ? content : undefined;
      },
      { description: `${this.label}: "${text}" in ${JSON.stringify(target)}`, timeoutMs },
    );
  }

  /** The problem the page shows (its `data-problem` kind), once one shows. */
  async waitForProblem(kind: string): Promise<void> {
    await waitUntil(
      () =>
        this.page.evaluate(
          (expected: string) =>
            [...document.querySelectorAll('[data-testid="problem"]')].some(
              (element) => element.getAttribute('data-problem') === expected,
            ),
          kind,
        ),
      { description: `${this.label}: the "${kind}" problem notice`, timeoutMs: CALL_DEADLINE_MS },
    );
  }

  /** Waits until the call is up: connected, remote video showing, video and audio still moving. */
  async waitForCall(): Promise<RtcSnapshot> {
    await waitForConnected(this.page, this.label);
    await waitForRemoteVideo(this.page, UI.remoteVideo, this.label);
    return waitForMediaFlowing(this.page, this.label);
  }

  /** The video track the large remote `<video>` plays, and the width of the picture it shows. */
  shownVideo(): Promise<{ trackId: string | undefined; width: number }> {
    return this.page.evaluate((selector: string) => {
      const video = document.querySelector<HTMLVideoElement>(selector);
      const stream = video?.srcObject as MediaStream | null | undefined;
      return { trackId: stream?.getVideoTracks()[0]?.id, width: video?.videoWidth ?? 0 };
    }, UI.remoteVideo);
  }

  /** Waits until the large remote `<video>` shows a picture on a track that `matches`; answers that track's id. */
  async waitForShownVideo(what: string, matches: (trackId: string) => boolean): Promise<string> {
    return waitUntil(
      async () => {
        const shown = await this.shownVideo();
        return shown.trackId !== undefined && matches(shown.trackId) && shown.width > 0 ? shown.trackId : undefined;
      },
      { description: `${this.label}: ${what}`, timeoutMs: CALL_DEADLINE_MS },
    );
  }

  /** Opens the quality panel and waits for the verification code ("123 456") it shows. */
  async verificationCode(): Promise<string> {
    await this.page.click(UI.qualityIndicator);
    return waitUntil(
      async () => {
        const text = await this.page.textOf(UI.verificationCode);
        return text && /^\d{3} \d{3}$/.test(text) ? text : undefined;
      },
      { description: `${this.label}: the verification code`, timeoutMs: CALL_DEADLINE_MS },
    );
  }

  /** Sends a chat message through the chat panel. */
  async sendChat(text: string): Promise<void> {
    if (!(await this.page.isVisible(UI.chatInput))) await this.page.click(UI.chatToggle);
    await this.waitFor(UI.chatInput, 'the chat input');
    await this.page.fill(UI.chatInput, text);
    await this.page.click(UI.chatSend);
  }

  /** Waits until a chat message with `text` shows in the chat log (opening the panel if needed). */
  async waitForChat(text: string): Promise<void> {
    if (!(await this.page.isVisible(UI.chatLog))) await this.page.click(UI.chatToggle);
    await this.waitForText(UI.chatLog, text);
  }

  /** When this person clicked Join (page clock, epoch ms). */
  joinClickedAt(): Promise<number | undefined> {
    return this.page.evaluate(
      () => (window as unknown as { __parleyJoinClickedAt?: number }).__parleyJoinClickedAt,
      null,
    );
  }

  close(): Promise<void> {
    return this.page.close();
  }
}

/** Two people: the first starts a call, the second opens the link; both join from the lobby. */
export async function startTwoPartyCall(
  siteUrl: string,
  first: { browser: TestBrowser; query?: AppQuery },
  second: { browser: TestBrowser; query?: AppQuery },
): Promise<{ a: AppUser; b: AppUser; link: string }> {
  const a = await AppUser.create(first.browser, `A (${first.browser.kind})`);
  const b = await AppUser.create(second.browser, `B (${second.browser.kind})`);
  const link = await a.startCall(siteUrl, first.query ?? '');
  await a.join();
  await b.open(withQuery(link, second.query ?? ''));
  await b.join();
  return { a, b, link };
}

/**
 * A call as people usually make one: A starts it and waits in it (its offer made, so parked for the lobby), then B
 * opens the link and stays in the lobby. Answers the link; B has not clicked Join.
 */
export async function aWaitsBInLobby(siteUrl: string, a: AppUser, b: AppUser, query: AppQuery): Promise<string> {
  const link = await a.startCall(siteUrl, query);
  await a.join();
  await a.waitForText(UI.callStatus, 'Waiting');
  // A's offer is made (and parked in the same step) well before B's page can load and ask for it.
  await waitUntil(async () => (await rtcSnapshot(a.page))?.signalingState === 'have-local-offer', {
    description: `${a.label}: its offer made`,
  });
  await b.open(withQuery(link, query));
  return link;
}

/** The room link with the diagnostics query of the joining person (the room id stays in the fragment). */
export function withQuery(link: string, query: AppQuery): string {
  const url = new URL(link);
  url.search = query;
  return url.toString();
}
