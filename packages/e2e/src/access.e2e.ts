import { describe, expect, it } from 'vitest';
import { useCallFixture } from './fixture';
import { AppUser, anotherInvitation, UI } from './parley-app';
import { waitUntil } from './wait';

/*
 * A private deployment (the default) in real Chromium: the owner link, an invitation, and what a stranger, an expired
 * link and a link of a replaced owner key get.
 */

const calls = useCallFixture();

/** Init script: counts the WebSockets the page opens (a stranger's page must open none). */
function countWebSockets(): void {
  const counter = window as unknown as { __parleySockets: number };
  counter.__parleySockets = 0;
  const Native = window.WebSocket;
  window.WebSocket = class extends Native {
    constructor(url: string | URL, protocols?: string | string[]) {
      super(url, protocols);
      counter.__parleySockets++;
    }
  };
}

async function person(label: string): Promise<AppUser> {
  const user = await AppUser.create(calls.browser(), label);
  calls.track(user);
  await user.page.addInitScript(countWebSockets, null);
  return user;
}

const socketsOpened = (user: AppUser) =>
  user.page.evaluate(() => (window as unknown as { __parleySockets: number }).__parleySockets, null);

const NAME_FIELD = { role: 'textbox', name: 'Your name (optional)' } as const;

describe('when the owner opens the owner link, starts a call and invites someone', () => {
  it('should keep the key out of the address bar, name the inviter in the guest lobby, and connect the call', async () => {
    const owner = await person('owner');
    const guest = await person('guest');
    await owner.startCall(calls.ownerLink());
    expect(owner.page.url()).not.toContain('owner=');
    // The owner gives a name and makes a fresh link, which carries it.
    await owner.page.fill(NAME_FIELD, 'Ada');
    const first = await owner.invitationLink();
    await owner.page.click(UI.newInvitation);
    const link = await waitUntil(
      async () => {
        const shown = await owner.invitationLink();
        return shown !== first ? shown : undefined;
      },
      { description: 'a new invitation link' },
    );
    // The guest's lobby names the inviter from the invitation (once Ada waits in the call, it says she is waiting).
    await guest.open(link);
    await guest.waitFor({ role: 'heading', name: 'Ada invited you to a call' }, 'the inviter named in the lobby');
    await owner.join();
    await guest.join();
    for (const user of [owner, guest]) await user.waitForCall();
    // The key stays in this browser: the plain site address is the owner's landing page from now on.
    await owner.page.goto(calls.siteUrl());
    await owner.waitFor(UI.startCall, 'the owner landing without the owner link');
  });
});

describe('when a stranger opens the site address', () => {
  it('should show that this Parley is private, and open no WebSocket', async () => {
    const stranger = await person('stranger');
    const before = calls.system().gateway.connectionIds().length;
    await stranger.page.goto(calls.siteUrl());
    await stranger.waitForProblem('private');
    expect(await stranger.page.isVisible(UI.startCall)).toBe(false);
    expect(await socketsOpened(stranger)).toBe(0);
    expect(calls.system().gateway.connectionIds().length).toBe(before);
  });
});

describe('when someone opens an expired invitation', () => {
  it('should say the invitation expired, and open no WebSocket', async () => {
    const owner = await person('owner');
    const link = await owner.startCall(calls.ownerLink());
    const late = await person('late guest');
    await late.page.goto(await anotherInvitation(calls.system(), link, -60));
    await late.waitForProblem('invite-expired');
    expect(await socketsOpened(late)).toBe(0);
  });
});

describe('when the owner key was replaced after a link was sent', () => {
  it('should tell the guest in the lobby that the link does not work any more', async () => {
    const owner = await person('owner');
    const link = await owner.startCall(calls.ownerLink());
    calls.system().rotateOwnerKey();
    const guest = await person('guest');
    await guest.page.goto(link);
    await guest.waitForProblem('link-refused');
  });
});
