import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, describe, expect, it } from 'vitest';
import { turnConfigFromArgs } from './cli';
import { TURN_LISTENING_PORT, TURN_RELAY_MAX_PORT, TURN_RELAY_MIN_PORT, TURN_TLS_LISTENING_PORT } from './turn-limits';
import { renderTurnserverConf } from './turnserver-conf';

const REPOSITORY_ROOT = fileURLToPath(new URL('../../..', import.meta.url));
const SECRET = 'cli-test-secret-0123456789abcdef';
const directory = mkdtempSync(join(tmpdir(), 'parley-turn-cli-'));
const secretFile = join(directory, 'secret');
writeFileSync(secretFile, `${SECRET}\n`);

/** Runs the command exactly as documented: `pnpm --silent turn-config …` from the repository root. */
function turnConfig(...args: string[]) {
  return spawnSync('pnpm', ['--silent', 'turn-config', ...args], { cwd: REPOSITORY_ROOT, encoding: 'utf8' });
}

afterAll(() => rmSync(directory, { recursive: true, force: true }));

describe('pnpm turn-config', () => {
  it('should print exactly the production configuration for the given addresses and secret', () => {
    const result = turnConfig(
      ...['--profile', 'production', '--public-ip', '203.0.113.7', '--private-ip', '10.0.1.23'],
      ...['--secret-file', secretFile],
    );
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toBe(
      renderTurnserverConf({
        profile: 'production',
        secret: SECRET,
        realm: 'parley',
        listeningPort: TURN_LISTENING_PORT,
        minPort: TURN_RELAY_MIN_PORT,
        maxPort: TURN_RELAY_MAX_PORT,
        externalIp: { public: '203.0.113.7', private: '10.0.1.23' },
      }),
    );
  });

  it('should refuse an unusable command line with a message and the usage (status 2)', () => {
    const result = turnConfig('--profile', 'production', '--secret-file', secretFile);
    expect(result.status).toBe(2);
    expect(result.stdout).toBe('');
    expect(result.stderr).toMatch(/--public-ip/);
    expect(result.stderr).toContain('usage: turn-config');
  });
});

describe('turnConfigFromArgs', () => {
  it('should pass realm, ports and TLS through', () => {
    const lines = turnConfigFromArgs([
      ...['--profile', 'production', '--public-ip', '203.0.113.7', '--private-ip', '10.0.1.23'],
      ...['--secret-file', secretFile, '--realm', 'turn.example.org', '--min-port', '50000', '--max-port', '50100'],
      ...['--tls-cert', '/etc/parley/turn-tls.pem', '--tls-key', '/etc/parley/turn-tls.pem'],
      ...['--tls-port', String(TURN_TLS_LISTENING_PORT)],
    ]).split('\n');
    expect(lines).toEqual(
      expect.arrayContaining([
        'realm=turn.example.org',
        'min-port=50000',
        'max-port=50100',
        `tls-listening-port=${TURN_TLS_LISTENING_PORT}`,
        'cert=/etc/parley/turn-tls.pem',
      ]),
    );
  });

  it.each([
    [
      'addresses for the local profile',
      ['--profile', 'local', '--secret-file', secretFile, '--public-ip', '203.0.113.7'],
      /takes no --public-ip/,
    ],
    ['an unknown option', ['--profile', 'local', '--bogus'], /Unknown option/],
    ['a missing secret file', ['--profile', 'local', '--secret-file', join(directory, 'none')], /ENOENT/],
    ['a weak secret', ['--profile', 'local', '--secret-file', '/dev/null'], /TURN secret must be/],
    [
      'half of the TLS options',
      ['--profile', 'local', '--secret-file', secretFile, '--tls-port', '5349'],
      /go together/,
    ],
    ['a port that is no number', ['--profile', 'local', '--secret-file', secretFile, '--port', 'x'], /port number/],
  ])('should refuse %s', (_, args, message) => {
    expect(() => turnConfigFromArgs(args)).toThrow(message);
  });
});
