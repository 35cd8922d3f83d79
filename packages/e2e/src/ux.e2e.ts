import { describe, expect, it } from 'vitest';
import { launchBrowser } from './browsers';
import { useCallFixture } from './fixture';
import { AppUser, UI } from './parley-app';
import { pickGeneratedFile } from './transfers';

/*
 * What a caller notices, asserted as the browser shows it (issue 13's UX fixes): who is waiting, Join within reach
 * on a phone, a file offer's size, the indicator after the other person leaves, one status line while reconnecting,
 * one primary action at the end, permission help for every browser, and controls with visible labels.
 */

const calls = useCallFixture();

/** A phone's viewport (an iPhone 12–15's CSS pixels). */
const PHONE = { width: 390, height: 780 };
/** A laptop's viewport, wider than the client's phone layout (styles.css switches at 720 px). */
const DESKTOP = { width: 1200, height: 720 };

/** A sent file's size, and how the offer card shows it (decimal units, as formatBytes does). */
const OFFERED_FILE = { bytes: 2_500_000, shown: '2.5 MB' };

/** Whether the lobby's Join button is wholly on screen, and how far the page is scrolled. */
function joinInView(user: AppUser): Promise<{ scrolled: number; inView: boolean }> {
  return user.page.evaluate(() => {
    const box = document.querySelector('[data-testid="join"]')?.getBoundingClientRect();
    return { scrolled: scrollY, inView: !!box && box.height > 0 && box.top >= 0 && box.bottom <= innerHeight };
  }, null);
}

describe('when the owner starts a call on a phone', () => {
  it('should show the link to send and Join without scrolling', async () => {
    const phone = await launchBrowser('chromium', { viewport: PHONE });
    try {
      const ada = await AppUser.create(phone, 'Ada (phone)');
      calls.track(ada);
      await ada.startCall(calls.ownerLink());
      await ada.waitFor(UI.join, 'the Join button');
      expect(await ada.page.isVisible(UI.invitationLink)).toBe(true);
      expect(await joinInView(ada)).toEqual({ scrolled: 0, inView: true });
    } finally {
      await phone.close();
    }
  });
});

describe('when the other person is already waiting in the call', () => {
  it('should name them in the lobby instead of offering a link to send, with Join in view on a phone', async () => {
    const phone = await launchBrowser('chromium', { viewport: PHONE });
    try {
      const ada = await AppUser.create(calls.browser(), 'Ada');
      const grace = await AppUser.create(phone, 'Grace (phone)');
      calls.track(ada, grace);
      const link = await ada.startCall(calls.ownerLink());
      await ada.join('Ada');
      await ada.waitForText(UI.callStatus, 'Waiting');
      await grace.open(link);
      await grace.waitForText(UI.lobbyHeading, 'Ada is waiting for you');
      expect(await grace.page.textOf(UI.invitationNote)).not.toContain('Send this link');
      // Join is on screen as the page opens: no scrolling past the preview and the pickers.
      expect(await joinInView(grace)).toEqual({ scrolled: 0, inView: true });
    } finally {
      await phone.close();
    }
  });

  it('should not ask the invitee of an open deployment to send the link on', async () => {
    const system = await calls.start({ access: 'open' });
    const browser = calls.browser();
    const ada = await AppUser.create(browser, 'Ada');
    const grace = await AppUser.create(browser, 'Grace');
    calls.track(ada, grace);
    if (!system.siteUrl) throw new Error('the local system serves no site');
    const link = await ada.startCall(system.siteUrl);
    // Ada, first in the room, is the one with a link to send.
    expect(await ada.page.textOf(UI.invitationNote)).toContain('Send this link');
    await ada.join('Ada');
    await ada.waitForText(UI.callStatus, 'Waiting');
    await grace.open(link);
    await grace.waitForText(UI.lobbyHeading, 'Ada is waiting for you');
    expect(await grace.page.textOf(UI.invitationNote)).not.toContain('Send this link');
    expect(await grace.page.isVisible(UI.invitationLink)).toBe(false);
  });
});

describe('when two people are in a call and one leaves', () => {
  it('should label the controls, show an offered file with its size, and forget the path once they left', async () => {
    const wide = await launchBrowser('chromium', { viewport: DESKTOP });
    try {
      const ada = await AppUser.create(wide, 'Ada');
      const grace = await AppUser.create(wide, 'Grace');
      calls.track(ada, grace);
      const link = await ada.startCall(calls.ownerLink());
      await ada.join('Ada');
      await grace.open(link);
      await grace.join('Grace');
      await ada.waitForCall();
      // Controls carry a visible caption on a wide screen, not only an icon and a tooltip.
      const captions = await ada.page.evaluate(
        () =>
          [...document.querySelectorAll<HTMLElement>('.controls .caption')]
            .filter((caption) => caption.offsetWidth > 0)
            .map((caption) => caption.textContent),
        null,
      );
      expect(captions).toEqual(expect.arrayContaining(['Mute microphone', 'Turn camera off', 'Chat', 'Hang up']));
      // With the extra controls loaded, the bar is still one row (their captions are short; labels say it in full).
      await ada.waitFor(UI.fullscreen, 'the extra controls');
      const rows = await ada.page.evaluate(
        () =>
          new Set(
            [...document.querySelectorAll<HTMLElement>('.controls > button')]
              .filter((control) => control.offsetWidth > 0)
              .map((control) => control.offsetTop),
          ).size,
        null,
      );
      expect(rows).toBe(1);

      // The quality panel (its code loads when opened) shows the path and the verification words.
      await ada.waitForText(UI.qualityIndicator, 'direct');
      const words = await ada.verificationWords();
      await ada.page.click(UI.qualityIndicator);
      await ada.waitForText(UI.verificationCode, words);
      await ada.waitForText({ testId: 'quality-stats' }, 'Direct');

      await pickGeneratedFile(grace, 'notes.bin', OFFERED_FILE.bytes);
      await ada.page.click(UI.chatToggle);
      await ada.waitFor(UI.fileAccept, 'the file offer');
      await ada.waitForText({ testId: 'file-transfer' }, `Wants to send you a file · ${OFFERED_FILE.shown}`);

      await grace.page.click(UI.hangUp);
      await ada.waitForText(UI.callStatus, 'Grace left the call');
      const indicator = await ada.page.textOf(UI.qualityIndicator);
      expect(indicator).not.toContain('direct');
      expect(indicator).not.toContain('Good');

      // The end page: Rejoin is its one primary action.
      await grace.waitFor(UI.rejoin, 'the end page');
      const primary = await grace.page.evaluate(
        () => [...document.querySelectorAll('.btn.primary')].map((button) => button.textContent),
        null,
      );
      expect(primary).toEqual(['Rejoin']);
    } finally {
      await wide.close();
    }
  });
});

describe('when the server cannot be reached during a call', () => {
  it('should say so in one status line, not in two banners', async () => {
    const ada = await AppUser.create(calls.browser(), 'Ada');
    calls.track(ada);
    await ada.startCall(calls.ownerLink());
    await ada.join('Ada');
    await ada.waitForText(UI.callStatus, 'Waiting');
    await calls.system().gateway.stop();
    await ada.waitForText(UI.reconnecting, 'Cannot reach the Parley server');
    // The status line already says it (waited for above): what shows under the top bar now is all there is.
    const banners = await ada.page.evaluate(
      () => [...document.querySelectorAll('.banner-slot > *')].map((banner) => banner.textContent ?? ''),
      null,
    );
    expect(banners).toHaveLength(1);
    expect(banners[0]).toContain('Reconnecting…');
  });
});

describe('when camera and microphone are blocked', () => {
  it('should say where to allow them in Chrome or Edge, in Firefox and in Safari', async () => {
    const blocked = await launchBrowser('chromium', { media: 'denied' });
    try {
      const ada = await AppUser.create(calls.browser(), 'Ada');
      const grace = await AppUser.create(blocked, 'Grace (blocked)');
      calls.track(ada, grace);
      const link = await ada.startCall(calls.ownerLink());
      await grace.open(link);
      await grace.waitForProblem('permission-denied');
      const help = await grace.page.textOf(UI.problem);
      for (const way of ['Chrome or Edge', 'camera icon', 'Firefox', 'permissions icon', 'Settings for This Website'])
        expect(help).toContain(way);
    } finally {
      await blocked.close();
    }
  });
});
