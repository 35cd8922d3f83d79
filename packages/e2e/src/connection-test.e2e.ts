import { describe, expect, it } from 'vitest';
import type { BrowserKind } from './browsers';
import { useCallFixture } from './fixture';
import { AppUser } from './parley-app';

/*
 * The lobby's "Test my connection" in real browsers against the local system's real coturn: a guest who opened an
 * invitation learns whether this browser reaches the relay over UDP and over TCP, in words; with coturn stopped, the
 * same test says the relay is blocked.
 */

const BROWSERS: BrowserKind[] = ['chromium', 'firefox'];
const calls = useCallFixture({ browsers: BROWSERS });

/** The owner starts a call; the guest opens the invitation it shows and waits in the lobby. */
async function guestInLobby(kind: BrowserKind): Promise<AppUser> {
  const owner = await AppUser.create(calls.browser(), 'owner');
  const guest = await AppUser.create(calls.browser(kind), `guest (${kind})`);
  calls.track(owner, guest);
  const invitation = await owner.startCall(calls.ownerLink());
  await guest.open(invitation);
  return guest;
}

describe.each(BROWSERS)('When a guest tests the connection from the lobby in %s', (kind) => {
  it('should reach the relay over UDP and over TCP, and say calls will work', async () => {
    const guest = await guestInLobby(kind);
    const shown = await guest.testConnection();
    expect(shown).toMatchObject({ verdict: 'works', udp: 'reached', tcp: 'reached' });
    expect(shown.text).toContain('Calls will work from this network.');
  });

  it('should say the network blocks the relay when the relay cannot be reached', async () => {
    const turn = calls.system().turn;
    if (!turn) throw new Error('The local system runs no coturn: this test would prove nothing');
    await turn.process.stop();
    const guest = await guestInLobby(kind);
    const shown = await guest.testConnection();
    expect(shown).toMatchObject({ verdict: 'blocked', udp: 'not-reached', tcp: 'not-reached' });
    expect(shown.text).toContain('Your network blocks the relay.');
    expect(shown.text).toContain('another network');
  });
});
