import { afterAll, afterEach, beforeAll } from 'vitest';
import type { BrowserKind, TestBrowser } from './browsers';
import { type Home, LAB_SERVICE_ADDRESS, type LabSystem, type NatKind, NetworkLab } from './network-lab';
import type { AppUser } from './parley-app';

/** One home of a lab fixture: who lives there, with which browser, behind which NAT at first. */
export interface HomeSpec {
  label: string;
  browser: BrowserKind;
  nat: NatKind;
  /** `web-only`: the router lets out only TCP to 443 and to the site's and signaling's ports (see `allowOnlyWebOut`). */
  egress?: 'open' | 'web-only';
}

/** What a test file gets from {@link useNetworkLab}. */
export interface NetworkFixture {
  lab(): NetworkLab;
  /** The local system on the lab's public segment. */
  system(): LabSystem;
  siteUrl(): string;
  /** The owner link of that system: calls start there (`AppUser.startCall`). */
  ownerLink(): string;
  home(label: string): Home;
  /** The browser launched inside that home. */
  browser(label: string): TestBrowser;
  /** Closes these users' tabs after the test, whatever happens. */
  track(...users: AppUser[]): void;
}

/**
 * Registers the hooks of a browser test file that runs in the network lab: the lab, the local system on its public
 * segment and one browser per home are made once per file; after each test the users' tabs close and every home's
 * link is back to its first NAT with no impairment; after the file everything is removed, whatever happened.
 */
export function useNetworkLab(
  homes: HomeSpec[],
  /** `turnTcpFallback`: the system also serves TURN over TCP on 443, as a default deploy does. */
  systemOptions: { turnTcpFallback?: boolean } = {},
): NetworkFixture {
  let lab: NetworkLab | undefined;
  let system: LabSystem | undefined;
  const homesByLabel = new Map<string, Home>();
  const browsers = new Map<string, TestBrowser>();
  const users: AppUser[] = [];

  const fixture: NetworkFixture = {
    lab() {
      if (!lab) throw new Error('The network lab is not up');
      return lab;
    },
    system() {
      if (!system) throw new Error('No local system runs in the lab');
      return system;
    },
    siteUrl: () => fixture.system().siteUrl,
    ownerLink: () => fixture.system().ownerLink,
    home(label) {
      const home = homesByLabel.get(label);
      if (!home) throw new Error(`No home "${label}" in this lab`);
      return home;
    },
    browser(label) {
      const browser = browsers.get(label);
      if (!browser) throw new Error(`No browser was launched in home "${label}"`);
      return browser;
    },
    track(...added) {
      users.push(...added);
    },
  };

  beforeAll(async () => {
    lab = await NetworkLab.create();
    for (const spec of homes) homesByLabel.set(spec.label, await lab.addHome(spec.label, spec.nat));
    system = await lab.startSystem(systemOptions);
    const servicePorts = [system.siteUrl, system.signalingUrl].map((url) => Number(new URL(url).port));
    for (const spec of homes) {
      if (spec.egress === 'web-only') {
        await fixture.home(spec.label).allowOnlyWebOut({ address: LAB_SERVICE_ADDRESS, tcpPorts: servicePorts });
      }
    }
    const launched = await Promise.allSettled(
      homes.map(async (spec) => {
        browsers.set(
          spec.label,
          await fixture.lab().launchBrowser(spec.browser, fixture.home(spec.label), [fixture.siteUrl()]),
        );
      }),
    );
    const failure = launched.find((result) => result.status === 'rejected');
    if (failure) throw failure.reason; // afterAll still closes the ones that did start
  });
  afterEach(async () => {
    await Promise.allSettled(users.splice(0).map((user) => user.close()));
    for (const spec of homes) {
      const home = homesByLabel.get(spec.label);
      await home?.impair({});
      if (home && home.natKind !== spec.nat) await home.setNat(spec.nat);
    }
  });
  afterAll(async () => {
    await Promise.allSettled([...browsers.values()].map((browser) => browser.close()));
    await lab?.remove();
  });
  return fixture;
}
