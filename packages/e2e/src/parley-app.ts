import type { LocalSystem } from '@parley/local';
import { importOwnerKey, signTicket } from '@parley/protocol';
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

/** Words the call view shows to compare (the client's VERIFICATION_WORD_COUNT). */
export const VERIFICATION_WORD_COUNT = 6;

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
  invitationLink: { testId: 'room-link' },
  newInvitation: { testId: 'new-invitation' },
  verificationCode: { testId: 'verification-code' },
  testConnection: { role: 'button', name: 'Test my connection' },
  verifyWords: { testId: 'verify-words' },
  wordsMatch: { role: 'button', name: 'They match' },
  wordsDiffer: { role: 'button', name: "They don't match" },
  audioOnlyOffer: { testId: 'audio-only-offer' },
  /** The tile shown in place of the other person's video ("… has the camera off"); in the page, hidden, always. */
  peerCameraOff: { testId: 'peer-camera-off' },
  /** The offer's button (its name, "Audio only", is also part of the audio-only control's "Send audio only"). */
  audioOnly: { testId: 'take-audio-only' },
  audioOnlyToggle: { testId: 'audio-only' },
  flipCamera: { testId: 'flip-camera' },
  noiseSuppression: { testId: 'noise-suppression' },
  pictureInPicture: { testId: 'picture-in-picture' },
  fullscreen: { testId: 'fullscreen' },
  joinNotifications: { testId: 'join-notifications' },
  devices: { role: 'button', name: 'Devices' },
  displayName: { role: 'textbox', name: 'Your name (optional)' },
  lobbyHeading: { testId: 'lobby-heading' },
  invitationNote: { testId: 'invitation-note' },
  reconnecting: { testId: 'reconnecting' },
  rejoin: { testId: 'rejoin' },
} as const satisfies Record<string, UiTarget | string>;

/** What the lobby's "Test my connection" showed: the verdict, what each TURN transport found, and the words. */
export interface ConnectionTestShown {
  verdict: string;
  udp: string | undefined;
  tcp: string | undefined;
  text: string;
}

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

  /**
   * Opens the owner link (the app keeps the key and shows the landing page), starts a call, and answers the
   * invitation link the lobby shows for sharing.
   */
  async startCall(ownerLink: string, query: AppQuery = ''): Promise<string> {
    await this.page.goto(withQuery(ownerLink, query));
    await this.waitFor(UI.startCall, 'the Start a call button');
    await this.page.click(UI.startCall);
    return this.invitationLink();
  }

  /** The invitation link the lobby (or the waiting call) shows for sharing, once it shows one. */
  invitationLink(): Promise<string> {
    return waitUntil(
      () =>
        this.page.evaluate(
          (selector: string) => document.querySelector<HTMLInputElement>(selector)?.value || undefined,
          '[data-testid="room-link"]',
        ),
      { description: `${this.label}: an invitation link to share` },
    );
  }

  /** Opens a room link (as the other person does) and waits for the lobby. */
  async open(link: string): Promise<void> {
    await this.page.goto(link);
    await this.waitFor(UI.join, 'the lobby');
  }

  /** Clicks Join in the lobby, having given `name` as this person's display name, if any. */
  async join(name?: string): Promise<void> {
    await this.waitFor(UI.join, 'the Join button');
    if (name !== undefined) await this.page.fill(UI.displayName, name);
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

  /**
   * Waits for the verification words the call view shows without opening any panel ("Compare these words with
   * Guest"), and answers them as one string, e.g. "acorn zebra tulip river mango kettle".
   */
  async verificationWords(): Promise<string> {
    return waitUntil(
      async () => {
        if (!(await this.page.isVisible(UI.verifyWords))) return undefined;
        const words = await this.page.evaluate(
          (selector: string) => [...document.querySelectorAll(`${selector} .word`)].map((w) => w.textContent ?? ''),
          `[data-testid="${UI.verifyWords.testId}"]`,
        );
        return words.length === VERIFICATION_WORD_COUNT ? words.join(' ') : undefined;
      },
      { description: `${this.label}: the verification words`, timeoutMs: CALL_DEADLINE_MS },
    );
  }

  /** Presses "Test my connection" in the lobby once it is available, and answers what the result shows. */
  async testConnection(): Promise<ConnectionTestShown> {
    await waitUntil(
      () =>
        this.page.evaluate(
          (selector: string) => document.querySelector<HTMLButtonElement>(selector)?.disabled === false,
          '[data-testid="test-connection"]',
        ),
      { description: `${this.label}: Test my connection available`, timeoutMs: CALL_DEADLINE_MS },
    );
    await this.page.click(UI.testConnection);
    return waitUntil(
      () =>
        this.page.evaluate((selector: string) => {
          const result = document.querySelector<HTMLElement>(selector);
          const verdict = result?.dataset.verdict;
          if (!result || !verdict) return undefined;
          return { verdict, udp: result.dataset.udp, tcp: result.dataset.tcp, text: result.textContent ?? '' };
        }, '[data-testid="connection-result"]'),
      { description: `${this.label}: the connection test's verdict`, timeoutMs: CALL_DEADLINE_MS },
    );
  }

  /** Answers "They match" or "They don't match" under the verification words. */
  async compareWords(match: boolean): Promise<void> {
    await this.page.click(match ? UI.wordsMatch : UI.wordsDiffer);
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
  ownerLink: string,
  first: { browser: TestBrowser; query?: AppQuery },
  second: { browser: TestBrowser; query?: AppQuery },
): Promise<{ a: AppUser; b: AppUser; link: string }> {
  const a = await AppUser.create(first.browser, `A (${first.browser.kind})`);
  const b = await AppUser.create(second.browser, `B (${second.browser.kind})`);
  const link = await a.startCall(ownerLink, first.query ?? '');
  await a.join();
  await b.open(withQuery(link, second.query ?? ''));
  await b.join();
  return { a, b, link };
}

/**
 * A call as people usually make one: A starts it and waits in it (its offer made, so parked for the lobby), then B
 * opens the link and stays in the lobby. Answers the link; B has not clicked Join.
 */
export async function aWaitsBInLobby(ownerLink: string, a: AppUser, b: AppUser, query: AppQuery): Promise<string> {
  const link = await a.startCall(ownerLink, query);
  await a.join();
  await a.waitForText(UI.callStatus, 'Waiting');
  // A's offer is made (and parked in the same step) well before B's page can load and ask for it.
  await waitUntil(async () => (await rtcSnapshot(a.page))?.signalingState === 'have-local-offer', {
    description: `${a.label}: its offer made`,
  });
  await b.open(withQuery(link, query));
  return link;
}

/** How long a test's extra invitation works. */
const TEST_INVITATION_SECONDS = 60 * 60;

/**
 * A second invitation to the room of `link`, as its owner could make one (signed here with the system's owner key),
 * valid for `validSeconds` (negative: expired that long ago).
 */
export async function anotherInvitation(
  system: LocalSystem,
  link: string,
  validSeconds = TEST_INVITATION_SECONDS,
): Promise<string> {
  const room = new URL(ownerRoomLink(link)).hash.slice(1);
  const owner = await importOwnerKey(system.ownerKey());
  const ticket = await signTicket(owner, {
    room,
    role: 'guest',
    exp: Math.floor(Date.now() / 1000) + validSeconds,
  });
  return `${ownerRoomLink(link)}/${ticket}`;
}

/** The room of an invitation link as its owner opens it (`/#<room>`, without the guest's ticket). */
export function ownerRoomLink(invitation: string): string {
  const url = new URL(invitation);
  url.hash = url.hash.split('/')[0] ?? '';
  return url.toString();
}

/** The room link with the diagnostics query of the joining person (the room id stays in the fragment). */
export function withQuery(link: string, query: AppQuery): string {
  const url = new URL(link);
  url.search = query;
  return url.toString();
}
