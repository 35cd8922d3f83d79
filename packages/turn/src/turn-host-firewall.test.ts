import { spawnSync } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import {
  EC2_LINK_LOCAL_SERVICE_BLOCKS,
  plainTurnUrls,
  renderTcpFallbackRedirect,
  renderTurnHostFirewall,
  TURN_HOST_FIREWALL_TABLE,
  tcpFallbackRedirectChain,
  turnTcpFallbackPort,
} from './turn-host-firewall';
import {
  TURN_FIREWALL_ADDRESS_IDLE_SECONDS,
  TURN_FIREWALL_TCP_CONNECTIONS_PER_ADDRESS,
  TURN_FIREWALL_TCP_NEW_CONNECTION_BURST,
  TURN_FIREWALL_TCP_NEW_CONNECTIONS_PER_MINUTE,
  TURN_FIREWALL_UDP_NEW_FLOW_BURST,
  TURN_FIREWALL_UDP_NEW_FLOWS_PER_SECOND,
  TURN_FIREWALL_UDP_PACKET_BURST,
  TURN_FIREWALL_UDP_PACKETS_PER_SECOND,
  TURN_LISTENING_PORT,
  TURN_TCP_FALLBACK_PORT,
  TURN_TLS_LISTENING_PORT,
} from './turn-limits';
import { TurnConfigError } from './turnserver-conf';

const DEFAULT_DEPLOY = {
  listeningPort: TURN_LISTENING_PORT,
  tcpFallbackPort: TURN_TCP_FALLBACK_PORT,
  turnUser: 'turnserver',
};

/**
 * Loads rulesets into real nftables, in a network namespace of its own (so the machine's own rules are never
 * touched), and returns what `nft list table` then shows. Throws with nft's message when a ruleset does not load.
 */
function loadInFreshNamespace(...rulesets: string[]): string {
  const script = [
    ...rulesets.map((_, index) => `printf '%s' "$${index + 1}" | nft -f - || exit 1`),
    `nft list table inet ${TURN_HOST_FIREWALL_TABLE} 2>/dev/null || nft list ruleset`,
  ].join('\n');
  const result = spawnSync('unshare', ['--net', 'sh', '-c', script, 'sh', ...rulesets], { encoding: 'utf8' });
  if (result.error) throw result.error;
  if (result.status !== 0) throw new Error(`nft refused the ruleset:\n${result.stderr}`);
  return result.stdout;
}

describe('turnTcpFallbackPort', () => {
  it('should serve TURN over TCP on 443 on a default deploy (no TLS) and beside TLS on 5349', () => {
    expect(turnTcpFallbackPort(undefined)).toBe(443);
    expect(turnTcpFallbackPort({ port: TURN_TLS_LISTENING_PORT })).toBe(443);
  });

  it('should leave 443 to TLS when TURN over TLS is served there', () => {
    expect(turnTcpFallbackPort({ port: 443 })).toBeUndefined();
  });
});

describe('plainTurnUrls', () => {
  it('should give UDP and TCP on the TURN port, and TCP on the fallback port when it is served', () => {
    expect(plainTurnUrls({ host: '203.0.113.10', port: 3478 })).toEqual([
      'turn:203.0.113.10:3478?transport=udp',
      'turn:203.0.113.10:3478?transport=tcp',
    ]);
    expect(plainTurnUrls({ host: '203.0.113.10', port: 3478, tcpFallbackPort: 443 })).toEqual([
      'turn:203.0.113.10:3478?transport=udp',
      'turn:203.0.113.10:3478?transport=tcp',
      'turn:203.0.113.10:443?transport=tcp',
    ]);
  });
});

describe('renderTurnHostFirewall', () => {
  const ruleset = renderTurnHostFirewall(DEFAULT_DEPLOY);

  it('should load into real nftables, and loading it again should replace it, not add a second copy', () => {
    const once = loadInFreshNamespace(ruleset);
    const twice = loadInFreshNamespace(ruleset, ruleset);
    expect(twice).toBe(once);
    expect(once.match(/ comment "/g)).toHaveLength(11);
  });

  it('should limit every client address with the named limits, per IPv4 address and per IPv6 /64', () => {
    const lines = ruleset.split('\n').map((line) => line.trim());
    for (const [family, key] of [
      ['v4', 'ip saddr'],
      ['v6', 'ip6 saddr and ffff:ffff:ffff:ffff::'],
    ] as const) {
      expect(lines).toEqual(
        expect.arrayContaining([
          expect.stringMatching(
            new RegExp(
              `^tcp dport 3478 ct state new update @tcp_new_${family} \\{ ${key} limit rate over ${TURN_FIREWALL_TCP_NEW_CONNECTIONS_PER_MINUTE}/minute burst ${TURN_FIREWALL_TCP_NEW_CONNECTION_BURST} packets \\} counter reject with tcp reset`,
            ),
          ),
          expect.stringMatching(
            new RegExp(
              `^tcp dport 3478 ct state new add @tcp_open_${family} \\{ ${key} ct count over ${TURN_FIREWALL_TCP_CONNECTIONS_PER_ADDRESS} \\} counter reject with tcp reset`,
            ),
          ),
          expect.stringMatching(
            new RegExp(
              `^udp dport 3478 ct state new update @udp_new_${family} \\{ ${key} limit rate over ${TURN_FIREWALL_UDP_NEW_FLOWS_PER_SECOND}/second burst ${TURN_FIREWALL_UDP_NEW_FLOW_BURST} packets \\} counter drop`,
            ),
          ),
          expect.stringMatching(
            new RegExp(
              `^udp dport 3478 update @udp_packets_${family} \\{ ${key} limit rate over ${TURN_FIREWALL_UDP_PACKETS_PER_SECOND}/second burst ${TURN_FIREWALL_UDP_PACKET_BURST} packets \\} counter drop`,
            ),
          ),
        ]),
      );
    }
  });

  it('should remember a quiet address at least as long as any of its buckets takes to refill from empty', () => {
    const refillSeconds = [
      (TURN_FIREWALL_TCP_NEW_CONNECTION_BURST / TURN_FIREWALL_TCP_NEW_CONNECTIONS_PER_MINUTE) * 60,
      TURN_FIREWALL_UDP_NEW_FLOW_BURST / TURN_FIREWALL_UDP_NEW_FLOWS_PER_SECOND,
      TURN_FIREWALL_UDP_PACKET_BURST / TURN_FIREWALL_UDP_PACKETS_PER_SECOND,
    ];
    expect(TURN_FIREWALL_ADDRESS_IDLE_SECONDS).toBeGreaterThanOrEqual(Math.max(...refillSeconds));
    expect(ruleset).toContain(`timeout ${TURN_FIREWALL_ADDRESS_IDLE_SECONDS}s;`);
  });

  it('should keep coturn’s user away from the EC2 link-local services (instance metadata) over IPv4 and IPv6', () => {
    expect(ruleset).toContain(
      `meta skuid "turnserver" ip daddr ${EC2_LINK_LOCAL_SERVICE_BLOCKS.ipv4} counter reject with icmpx admin-prohibited`,
    );
    expect(ruleset).toContain(
      `meta skuid "turnserver" ip6 daddr ${EC2_LINK_LOCAL_SERVICE_BLOCKS.ipv6} counter reject with icmpx admin-prohibited`,
    );
  });

  it('should redirect TCP on 443 to the TURN port on a default deploy', () => {
    expect(ruleset).toContain(tcpFallbackRedirectChain({ fallbackPort: 443, listeningPort: 3478 }).join('\n  '));
    expect(ruleset).toContain('tcp dport 443 redirect to :3478');
  });

  it('should limit TCP on the TLS port too, and still redirect 443, when TLS is on 5349', () => {
    const withTls = renderTurnHostFirewall({ ...DEFAULT_DEPLOY, tlsPort: TURN_TLS_LISTENING_PORT });
    expect(withTls).toContain('tcp dport { 3478, 5349 } ct state new');
    expect(withTls).toContain('tcp dport 443 redirect to :3478');
    loadInFreshNamespace(withTls);
  });

  it('should not redirect 443 when TLS is served there, and limit TCP on it like the TURN port', () => {
    const tlsOn443 = renderTurnHostFirewall({
      listeningPort: TURN_LISTENING_PORT,
      tlsPort: 443,
      turnUser: 'turnserver',
    });
    expect(tlsOn443).not.toContain('redirect');
    expect(tlsOn443).toContain('tcp dport { 3478, 443 } ct state new');
    loadInFreshNamespace(tlsOn443);
  });

  it.each([
    ['a user name that could break out of the rule', { turnUser: 'turnserver" accept #' }],
    ['a port out of range', { listeningPort: 70_000 }],
    ['a fallback port equal to the TURN port', { tcpFallbackPort: TURN_LISTENING_PORT }],
  ])('should refuse %s', (_, change) => {
    expect(() => renderTurnHostFirewall({ ...DEFAULT_DEPLOY, ...change })).toThrow(TurnConfigError);
  });
});

describe('renderTcpFallbackRedirect', () => {
  it('should render a table of its own holding only the redirect, for a network lab', () => {
    const ruleset = renderTcpFallbackRedirect({ fallbackPort: 443, listeningPort: 3478, table: 'lab_turn' });
    expect(ruleset).toContain('table inet lab_turn {');
    const loaded = loadInFreshNamespace(ruleset);
    expect(loaded).toContain('tcp dport 443 redirect to :3478');
    expect(loaded).not.toContain('limit rate');
  });
});
