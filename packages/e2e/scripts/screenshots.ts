/**
 * Screenshots of every state of the app, taken in real headless Chromium against the whole local system
 * (signaling with its real handlers, coturn, the built client): `docs/screenshots/*.png`.
 *
 * Usage: tsx packages/e2e/scripts/screenshots.ts   (builds the client first when its build is stale)
 */
import { mkdirSync, statSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CHROMIUM_BASE_FLAGS, CHROMIUM_EXECUTABLE, CHROMIUM_FAKE_MEDIA_FLAGS } from '@parley/e2e';
import { startLocalSystem } from '@parley/local';
import { type Browser, type BrowserContextOptions, chromium, type Page } from 'playwright-core';
import { anotherInvitation } from '../src/parley-app';

/** Screenshots are committed: each must stay under this size. */
export const MAX_SCREENSHOT_BYTES = 200_000;
/** Longest wait for any state to show. */
const STATE_DEADLINE_MS = 30_000;

const outDir = join(dirname(fileURLToPath(import.meta.url)), '..', '..', '..', 'docs', 'screenshots');
// The e2e harness's flags: one definition of how a quiet, loopback-only test Chromium is launched.
const BASE_FLAGS = [...CHROMIUM_BASE_FLAGS, '--hide-scrollbars'];
const FAKE_DEVICES = [...CHROMIUM_FAKE_MEDIA_FLAGS, '--use-fake-ui-for-media-stream'];
const DESKTOP = { width: 1200, height: 720 };
const PHONE = { width: 390, height: 780 };

const launch = (extra: string[]) =>
  chromium.launch({ executablePath: CHROMIUM_EXECUTABLE, headless: true, args: [...BASE_FLAGS, ...extra] });

async function open(browser: Browser, url: string, options: BrowserContextOptions = {}): Promise<Page> {
  const context = await browser.newContext({ viewport: DESKTOP, colorScheme: 'dark', ...options });
  const page = await context.newPage();
  page.setDefaultTimeout(STATE_DEADLINE_MS);
  page.on('pageerror', (error) => console.error(`page error: ${error.message}`));
  await page.goto(url);
  return page;
}

const taken: { name: string; bytes: number }[] = [];
async function shoot(page: Page, name: string): Promise<void> {
  // Let transitions settle (the toast, the level meter) so the picture shows the state, not a frame of a fade.
  await page.evaluate(() => new Promise((resolve) => requestAnimationFrame(() => setTimeout(resolve, 400))));
  const path = join(outDir, `${name}.png`);
  await page.screenshot({ path, animations: 'disabled', caret: 'hide' });
  const bytes = statSync(path).size;
  taken.push({ name, bytes });
  if (bytes > MAX_SCREENSHOT_BYTES) throw new Error(`${name}.png is ${bytes} bytes (limit ${MAX_SCREENSHOT_BYTES})`);
}

const status = (page: Page, text: string) =>
  page.getByTestId('call-status').filter({ hasText: text }).waitFor({ state: 'visible' });

async function joinCall(page: Page, name?: string): Promise<void> {
  await page.getByTestId('join').waitFor();
  if (name) await page.getByLabel('Your name (optional)').fill(name);
  await page.getByTestId('join').click();
}

mkdirSync(outDir, { recursive: true });
const system = await startLocalSystem({ log: (line) => console.error(line) });
const site = system.siteUrl;
const owner = system.ownerLink();
if (!site || !owner) throw new Error('the local system serves no site (is the client buildable?)');
const granted = await launch(FAKE_DEVICES);
const denied = await launch(['--use-fake-device-for-media-stream', '--deny-permission-prompts']);
const noDevices = await launch(['--use-fake-ui-for-media-stream']);

try {
  // What a stranger with the site address sees: nothing but this.
  const stranger = await open(granted, site);
  await stranger.locator('[data-problem="private"]').waitFor();
  await shoot(stranger, 'private');
  await stranger.context().close();

  // The owner's landing (through the owner link), light and dark.
  const ada = await open(granted, owner);
  await ada.getByRole('button', { name: 'Start a call' }).waitFor();
  await shoot(ada, 'landing');
  const light = await open(granted, owner, { colorScheme: 'light' });
  await light.getByRole('button', { name: 'Start a call' }).waitFor();
  await shoot(light, 'landing-light');
  await light.context().close();

  // Lobby: preview, meter, pickers, the invitation link (made again once Ada has given her name, which it carries).
  await ada.getByRole('button', { name: 'Start a call' }).click();
  await ada.getByTestId('join').waitFor();
  await ada.waitForFunction(() => (document.querySelector('video') as HTMLVideoElement | null)?.videoWidth);
  const unnamed = await ada.getByTestId('room-link').inputValue();
  await ada.getByLabel('Your name (optional)').fill('Ada');
  await ada.getByTestId('new-invitation').click();
  await ada.waitForFunction(
    (old) => (document.querySelector('[data-testid="room-link"]') as HTMLInputElement | null)?.value !== old,
    unnamed,
  );
  // …and what Test my connection says from here (the local coturn is reached over UDP and TCP).
  await ada.getByRole('button', { name: 'Test my connection' }).click();
  await ada.locator('[data-testid="connection-result"][data-verdict]').waitFor();
  await shoot(ada, 'lobby');
  const link = await ada.getByTestId('room-link').inputValue();
  const lobbyLight = await open(granted, link, { colorScheme: 'light', viewport: PHONE });
  await lobbyLight.getByRole('heading', { name: 'Ada invited you to a call' }).waitFor();
  await shoot(lobbyLight, 'lobby-invited-phone-light');
  await lobbyLight.context().close();
  // The owner's lobby on a phone: the link to send and its buttons, with Join kept on screen at the bottom.
  const ownerPhone = await open(granted, owner, { viewport: PHONE });
  await ownerPhone.getByRole('button', { name: 'Start a call' }).click();
  await ownerPhone.getByTestId('join').waitFor();
  await ownerPhone.waitForFunction(() => (document.querySelector('video') as HTMLVideoElement | null)?.videoWidth);
  await shoot(ownerPhone, 'lobby-owner-phone');
  await ownerPhone.context().close();
  const late = await open(granted, await anotherInvitation(system, link, -60));
  await late.locator('[data-problem="invite-expired"]').waitFor();
  await shoot(late, 'invite-expired');
  await late.context().close();

  // Waiting for the other person.
  await joinCall(ada, 'Ada');
  await status(ada, 'Waiting');
  await shoot(ada, 'waiting');

  // The invitee's lobby on a phone while Ada waits: it names her, and Join shows without scrolling.
  const invitee = await open(granted, link, { viewport: PHONE });
  await invitee.getByRole('heading', { name: 'Ada is waiting for you' }).waitFor();
  await invitee.waitForFunction(() => (document.querySelector('video') as HTMLVideoElement | null)?.videoWidth);
  await shoot(invitee, 'lobby-someone-waiting-phone');
  await invitee.context().close();

  // In a call.
  const grace = await open(granted, link);
  await joinCall(grace, 'Grace');
  await status(ada, 'In a call with Grace');
  await status(grace, 'In a call with Ada');
  await ada.waitForFunction(
    () => (document.querySelector('[data-testid="remote-video"]') as HTMLVideoElement | null)?.videoWidth,
  );
  await ada.locator('[data-testid="quality-indicator"]:not([data-level="unknown"])').waitFor();
  await shoot(ada, 'in-call');

  // Audio only: Ada holds her video back (the control pressed, beside Picture-in-Picture and Full screen); Grace sees
  // that no video comes. Then Ada sends video again.
  await ada.getByTestId('audio-only').click();
  await ada.locator('[data-testid="audio-only"][aria-pressed="true"]').waitFor();
  await grace.getByText('Ada has the camera off').waitFor();
  await ada.getByTestId('audio-only').hover();
  await shoot(ada, 'audio-only');
  await shoot(grace, 'audio-only-peer');
  await ada.getByTestId('audio-only').click();
  await grace.getByText('Ada has the camera off').waitFor({ state: 'hidden' });

  // Chat: Grace's unread badge, then Ada's open panel.
  await ada.getByTestId('chat-toggle').click();
  await ada.getByTestId('chat-input').fill('Hi Grace! Can you see my screen in a minute?');
  await ada.getByTestId('chat-send').click();
  await grace.getByTestId('unread-badge').waitFor();
  await shoot(grace, 'chat-unread');
  await grace.getByTestId('chat-toggle').click();
  await grace.getByTestId('chat-input').fill('Yes, go ahead. Sending you the notes too.');
  await grace.getByTestId('chat-send').click();
  await ada.getByTestId('chat-log').filter({ hasText: 'Sending you the notes' }).waitFor();
  await shoot(ada, 'chat');

  // File transfer: an offer waiting for Accept, then the transfer itself.
  const notes = Buffer.alloc(12 * 1024 * 1024, 'Parley meeting notes. ');
  await grace
    .getByTestId('file-input')
    .setInputFiles({ name: 'meeting-notes.txt', mimeType: 'text/plain', buffer: notes });
  await ada.getByTestId('file-accept').waitFor();
  await shoot(ada, 'file-offer');
  await ada.getByTestId('file-accept').click();
  await ada
    .locator(
      '[data-testid="file-transfer"][data-state="transferring"], [data-testid="file-transfer"][data-state="done"]',
    )
    .waitFor();
  await shoot(ada, 'file-transfer');
  await ada.locator('[data-testid="file-transfer"][data-state="done"]').waitFor();
  await shoot(ada, 'file-received');

  // Quality panel with the verification words (six of them, once derived).
  await ada.getByRole('button', { name: 'Call quality' }).click();
  await ada
    .getByTestId('verification-code')
    .filter({ hasText: /^\s*\p{L}+(\s+\p{L}+){5}\s*$/u })
    .waitFor();
  await shoot(ada, 'quality-panel');

  // Phone layout, in a call.
  await grace.getByRole('button', { name: 'Close panel' }).click();
  await grace.setViewportSize(PHONE);
  await shoot(grace, 'in-call-phone');

  // Grace hangs up: the room stays open for her to come back.
  await grace.getByTestId('hang-up').click();
  await grace.getByTestId('rejoin').waitFor();
  await grace.context().close();
  await status(ada, 'Grace left the call');
  await shoot(ada, 'peer-left');

  // Debug panel (?debug).
  const debug = await open(granted, link.replace('/#', '/?debug#'));
  await joinCall(debug, 'Grace');
  await status(debug, 'In a call with Ada');
  await debug.getByRole('button', { name: 'Debug' }).click();
  await debug.getByTestId('debug-candidates').filter({ hasText: 'host' }).waitFor();
  await shoot(debug, 'debug-panel');

  // The same invitation forwarded to a third person: it lets one person in.
  const forwarded = await open(granted, link);
  await joinCall(forwarded);
  await forwarded.locator('[data-problem="ticket-in-use"]').waitFor();
  await shoot(forwarded, 'ticket-in-use');
  await forwarded.context().close();

  // Room full: a third person with an invitation of their own.
  const third = await open(granted, await anotherInvitation(system, link));
  await joinCall(third);
  await third.locator('[data-problem="room-full"]').waitFor();
  await shoot(third, 'room-full');
  await third.context().close();

  // Hung up.
  await debug.getByTestId('hang-up').click();
  await debug.getByTestId('rejoin').waitFor();
  await shoot(debug, 'call-ended');
  await debug.context().close();

  // Permission denied, no devices, a broken link, a site without config.
  const blocked = await open(denied, link);
  await blocked.locator('[data-problem="permission-denied"]').waitFor();
  await shoot(blocked, 'permission-denied');
  await blocked.context().close();
  const empty = await open(noDevices, link);
  await empty.locator('[data-problem="no-devices"]').waitFor();
  await shoot(empty, 'no-devices');
  await empty.context().close();
  const broken = await open(granted, `${site}/#not-a-room`);
  await broken.locator('[data-problem="broken-link"]').waitFor();
  await shoot(broken, 'broken-link');
  await broken.context().close();
  const context = await granted.newContext({ viewport: DESKTOP, colorScheme: 'dark' });
  await context.route('**/config.json', (route) => route.fulfill({ status: 404, body: 'Not found' }));
  const unconfigured = await context.newPage();
  await unconfigured.goto(site);
  await unconfigured.locator('[data-problem="bad-config"]').waitFor();
  await shoot(unconfigured, 'bad-config');
  await context.close();

  // Signaling lost: Ada alone in the room, then the server goes away.
  await ada.getByTestId('hang-up').click();
  await ada.getByTestId('rejoin').click();
  await joinCall(ada, 'Ada');
  await status(ada, 'Waiting');
  await system.gateway.stop();
  await ada.getByTestId('reconnecting').waitFor();
  await shoot(ada, 'reconnecting');
  await ada.locator('[data-problem="signaling-unreachable"]').waitFor();
  await shoot(ada, 'signaling-unreachable');
} finally {
  await Promise.all([granted.close(), denied.close(), noDevices.close()]);
  await system.stop();
}

for (const { name, bytes } of taken)
  console.log(`${`${name}.png`.padEnd(28)} ${(bytes / 1000).toFixed(0).padStart(4)} KB`);
console.log(`${taken.length} screenshots in ${outDir}`);
