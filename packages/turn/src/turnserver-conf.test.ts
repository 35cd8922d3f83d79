import { describe, expect, it } from 'vitest';
import { deniedPeerRanges } from './denied-peers';
import {
  TURN_LISTENING_PORT,
  TURN_MAX_SESSION_BYTES_PER_SECOND,
  TURN_RELAY_MAX_PORT,
  TURN_RELAY_MIN_PORT,
  TURN_SERVER_BYTES_PER_SECOND,
  TURN_STALE_NONCE_SECONDS,
  TURN_TLS_LISTENING_PORT,
  TURN_TOTAL_QUOTA,
  TURN_USER_QUOTA,
} from './turn-limits';
import { renderTurnserverConf, TurnConfigError, type TurnServerConfigOptions } from './turnserver-conf';

const SECRET = 'correct-horse-battery-staple-0123';

const production: TurnServerConfigOptions = {
  profile: 'production',
  secret: SECRET,
  realm: 'parley',
  listeningPort: TURN_LISTENING_PORT,
  minPort: TURN_RELAY_MIN_PORT,
  maxPort: TURN_RELAY_MAX_PORT,
  externalIp: { public: '203.0.113.7', private: '10.0.1.23' },
};

const local: TurnServerConfigOptions = {
  profile: 'local',
  secret: SECRET,
  realm: 'parley',
  listeningPort: TURN_LISTENING_PORT,
  minPort: TURN_RELAY_MIN_PORT,
  maxPort: TURN_RELAY_MAX_PORT,
  pidFile: '/tmp/parley-turn/turnserver.pid',
  userDbFile: '/tmp/parley-turn/turndb',
};

const linesOf = (text: string) => text.split('\n');

describe('renderTurnserverConf', () => {
  describe('when rendering the production profile', () => {
    const lines = linesOf(renderTurnserverConf(production));

    it.each([
      'use-auth-secret',
      `static-auth-secret=${SECRET}`,
      'realm=parley',
      'fingerprint',
      'no-cli',
      'no-multicast-peers',
      'no-software-attribute',
      'no-tcp-relay',
      'no-rfc5780',
      'no-stun-backward-compatibility',
      'response-origin-only-with-rfc5780',
      'no-tls',
      'no-dtls',
      `stale-nonce=${TURN_STALE_NONCE_SECONDS}`,
      `user-quota=${TURN_USER_QUOTA}`,
      `total-quota=${TURN_TOTAL_QUOTA}`,
      `max-bps=${TURN_MAX_SESSION_BYTES_PER_SECOND}`,
      `bps-capacity=${TURN_SERVER_BYTES_PER_SECOND}`,
      `listening-port=${TURN_LISTENING_PORT}`,
      `min-port=${TURN_RELAY_MIN_PORT}`,
      `max-port=${TURN_RELAY_MAX_PORT}`,
      'listening-ip=10.0.1.23',
      'relay-ip=10.0.1.23',
      'external-ip=203.0.113.7/10.0.1.23',
      'log-file=stdout',
    ])('should contain the line %s', (line) => {
      expect(lines).toContain(line);
    });

    it('should never allow loopback peers', () => {
      expect(lines).not.toContain('allow-loopback-peers');
      expect(lines).toContain('denied-peer-ip=127.0.0.0-127.255.255.255');
    });

    it('should deny every range of the denied peer list, but not its own addresses (relay-to-relay calls)', () => {
      const denied = lines.filter((line) => line.startsWith('denied-peer-ip=')).map((line) => line.slice(15));
      expect(denied).toEqual(deniedPeerRanges({ allowLoopback: false }));
    });

    it('should leave pid file and user database at the packaged defaults', () => {
      expect(lines.some((line) => line.startsWith('pidfile=') || line.startsWith('userdb='))).toBe(false);
    });

    it('should contain no line coturn would not understand (only comments, blanks and options)', () => {
      for (const line of lines) expect(line).toMatch(/^(#.*|[a-z0-9-]+(=\S+)?)?$/);
    });
  });

  describe('when rendering the local profile', () => {
    it('should differ from production only where loopback demands it', () => {
      const productionLines = linesOf(renderTurnserverConf(production));
      const localLines = linesOf(renderTurnserverConf(local));
      const onlyInProduction = productionLines.filter((line) => !localLines.includes(line));
      const onlyInLocal = localLines.filter((line) => !productionLines.includes(line));
      expect(onlyInProduction).toEqual([
        '# Profile: production',
        'listening-ip=10.0.1.23',
        'relay-ip=10.0.1.23',
        'external-ip=203.0.113.7/10.0.1.23',
        'denied-peer-ip=127.0.0.0-127.255.255.255',
      ]);
      expect(onlyInLocal).toEqual([
        '# Profile: local',
        'listening-ip=127.0.0.1',
        'relay-ip=127.0.0.1',
        'pidfile=/tmp/parley-turn/turnserver.pid',
        'userdb=/tmp/parley-turn/turndb',
        'allow-loopback-peers',
      ]);
    });

    it('should keep no-cli, which coturn requires for allow-loopback-peers', () => {
      expect(linesOf(renderTurnserverConf(local))).toContain('no-cli');
    });
  });

  describe('when TLS is configured', () => {
    const lines = linesOf(
      renderTurnserverConf({
        ...production,
        tls: { certFile: '/etc/parley/turn.crt', keyFile: '/etc/parley/turn.key', port: TURN_TLS_LISTENING_PORT },
      }),
    );

    it('should listen for TLS with the certificate and refuse TLS 1.0 and 1.1', () => {
      expect(lines).toEqual(
        expect.arrayContaining([
          `tls-listening-port=${TURN_TLS_LISTENING_PORT}`,
          'cert=/etc/parley/turn.crt',
          'pkey=/etc/parley/turn.key',
          'no-tlsv1',
          'no-tlsv1_1',
          'no-dtls',
        ]),
      );
      expect(lines).not.toContain('no-tls');
    });
  });

  describe('when given unusable values', () => {
    it.each<[string, Partial<TurnServerConfigOptions>, RegExp]>([
      ['a short secret', { secret: 'short' }, /TURN secret must be/],
      ['a secret with a newline', { secret: `${SECRET}\nallow-loopback-peers` }, /TURN secret must be/],
      ['a realm with a newline', { realm: 'parley\nno-auth' }, /realm must be/],
      ['an inverted relay range', { minPort: 60000, maxPort: 50000 }, /must not exceed maxPort/],
      ['a listening port inside the relay range', { listeningPort: 50000 }, /inside the relay range/],
      ['a port out of range', { listeningPort: 70000 }, /integer port/],
      ['no external address in production', { externalIp: undefined }, /production needs externalIp/],
      ['a non-IPv4 public address', { externalIp: { public: 'example.com', private: '10.0.0.1' } }, /IPv4/],
      ['a relative pid file', { pidFile: 'turn.pid' }, /absolute path/],
      ['an unknown profile', { profile: 'staging' as 'local' }, /profile must be/],
    ])('should refuse %s with a clear error', (_, change, message) => {
      expect(() => renderTurnserverConf({ ...production, ...change })).toThrow(TurnConfigError);
      expect(() => renderTurnserverConf({ ...production, ...change })).toThrow(message);
    });

    it('should refuse a non-loopback address in the local profile', () => {
      expect(() => renderTurnserverConf({ ...local, relayIp: '10.0.0.5' })).toThrow(/must be a 127.x address/);
    });
  });
});
