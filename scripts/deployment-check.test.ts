import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalSystem, startLocalSystem } from '@parley/local';
import { createRoomId } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckResult, checkDeployment, memberConnectUrl, parseTurnUrl, targetFromStack } from './deployment-check';
import { fakeAwsClient, startFakeAws } from './fake-aws';

// The self-check against the whole local system: the static site with CloudFront's headers, the API Gateway
// stand-in running the real handlers, and real coturn.

const workDirectory = mkdtempSync(join(tmpdir(), 'parley-deployment-check-'));
afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

/** A stand-in client build: a page that loads one hashed script (the check fetches it, as a browser would). */
function siteDirectory(name: string, page: string): string {
  const dir = join(workDirectory, name);
  mkdirSync(join(dir, 'assets'), { recursive: true });
  writeFileSync(join(dir, 'index.html'), page);
  writeFileSync(join(dir, 'assets', 'index-abc123.js'), 'console.log("parley")');
  return dir;
}

const CLIENT_PAGE = '<!doctype html><title>Parley</title><script type="module" src="/assets/index-abc123.js"></script>';

const byStep = (results: CheckResult[]) => new Map(results.map((r) => [r.step, r]));

describe('The deployment check against a working system', () => {
  let system: LocalSystem;
  beforeAll(async () => {
    system = await startLocalSystem({
      turn: 'on',
      logLevel: 'SILENT',
      log: () => {},
      site: { root: siteDirectory('working', CLIENT_PAGE) },
    });
  });
  afterAll(() => system?.stop());

  it('should pass every step, TURN over UDP and TCP included', async () => {
    const reported: CheckResult[] = [];
    const results = await checkDeployment(
      { siteUrl: system.siteUrl ?? '', signalingUrl: system.signalingUrl, ownerKey: system.ownerKey() },
      (r) => reported.push(r),
    );
    expect(reported).toEqual(results);
    expect(results.map((r) => [r.step, r.ok])).toEqual([
      ['Site', true],
      ['Security headers', true],
      ['Private access', true],
      ['Signaling', true],
      ['TURN credentials', true],
      [`TURN over UDP (127.0.0.1:${system.turn?.port})`, true],
      [`TURN over TCP (127.0.0.1:${system.turn?.port})`, true],
    ]);
    expect(byStep(results).get('TURN credentials')?.detail).toBe('2 TURN URLs with short-lived credentials');
  });

  it('should find the site, signaling and owner key from the stack, as after `cdk deploy`', async () => {
    const secretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:OwnerKeySecret-AbCdEf';
    const aws = await startFakeAws({
      stacks: {
        'Parley-Family': {
          SiteUrl: system.siteUrl ?? '',
          SignalingUrl: system.signalingUrl,
          TurnAddress: `127.0.0.1:${system.turn?.port}`,
          OwnerKeySecretArn: secretArn,
        },
      },
      secrets: { [secretArn]: system.ownerKey() },
    });
    try {
      const target = await targetFromStack('Parley-Family', fakeAwsClient(aws.endpoint));
      expect(target).toEqual({
        siteUrl: system.siteUrl,
        signalingUrl: system.signalingUrl,
        ownerKey: system.ownerKey(),
      });
      const results = await checkDeployment(target);
      expect(results.filter((r) => !r.ok)).toEqual([]);
      await expect(targetFromStack('Parley', fakeAwsClient(aws.endpoint))).rejects.toThrow(
        /cannot read the stack "Parley": Stack with id Parley does not exist\. Check that your AWS credentials and region/,
      );
    } finally {
      await aws.stop();
    }
  });

  it('should say what to do when it has no owner key for a private deployment, after checking strangers are refused', async () => {
    const results = byStep(await checkDeployment({ siteUrl: system.siteUrl ?? '' }));
    expect(results.get('Private access')?.ok).toBe(true);
    expect(results.get('Signaling')).toMatchObject({ ok: false, fix: expect.stringContaining('--owner-link') });
  });

  it('should say so when config.json names another signaling service than the stack', async () => {
    const results = await checkDeployment({
      siteUrl: system.siteUrl ?? '',
      signalingUrl: 'wss://elsewhere.example/v1',
    });
    const step = byStep(results).get('Site configuration');
    expect(step?.ok).toBe(false);
    expect(step?.fix).toContain('cdk deploy');
    expect(results.at(-1)).toBe(step);
  });
});

describe('The deployment check when TURN is stopped', () => {
  let system: LocalSystem;
  beforeAll(async () => {
    system = await startLocalSystem({
      turn: 'on',
      logLevel: 'SILENT',
      log: () => {},
      site: { root: siteDirectory('no-turn', CLIENT_PAGE) },
    });
    await system.turn?.process.stop();
  });
  afterAll(() => system?.stop());

  it('should pass the site and signaling, fail both TURN steps, and say what to do', async () => {
    const results = byStep(await checkDeployment({ siteUrl: system.siteUrl ?? '', ownerKey: system.ownerKey() }));
    expect(results.get('Signaling')?.ok).toBe(true);
    const udp = results.get(`TURN over UDP (127.0.0.1:${system.turn?.port})`);
    const tcp = results.get(`TURN over TCP (127.0.0.1:${system.turn?.port})`);
    expect(udp?.ok).toBe(false);
    expect(udp?.fix).toContain('may still be booting');
    expect(tcp?.ok).toBe(false);
    expect(tcp?.detail).toContain('ECONNREFUSED');
    expect(tcp?.fix).toContain('coturn is not running');
  });
});

describe('The deployment check against a site that is not the client', () => {
  let system: LocalSystem;
  beforeAll(async () => {
    system = await startLocalSystem({
      turn: 'off',
      logLevel: 'SILENT',
      log: () => {},
      site: { root: siteDirectory('placeholder', '<!doctype html><title>Coming soon</title>') },
    });
  });
  afterAll(() => system?.stop());

  it('should fail at the site and go no further', async () => {
    const results = await checkDeployment({ siteUrl: system.siteUrl ?? '' });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ step: 'Site', ok: false, detail: expect.stringContaining('no script') });
  });

  it('should fail at the site, with what to do, when nothing answers', async () => {
    const results = await checkDeployment({ siteUrl: 'http://127.0.0.1:9/' });
    expect(results).toHaveLength(1);
    expect(results[0]).toMatchObject({ step: 'Site', ok: false, fix: expect.stringContaining('SiteUrl') });
  });
});

describe('TURN URLs and the member connect URL', () => {
  it('should read host, port and transport the way browsers do', () => {
    expect(parseTurnUrl('turn:203.0.113.7:3478?transport=udp')).toEqual({
      host: '203.0.113.7',
      port: 3478,
      transport: 'udp',
    });
    expect(parseTurnUrl('turn:203.0.113.7:3478?transport=tcp').transport).toBe('tcp');
    expect(parseTurnUrl('turns:turn.example.org:443?transport=tcp')).toEqual({
      host: 'turn.example.org',
      port: 443,
      transport: 'tls',
    });
    expect(parseTurnUrl('turn:[2001:db8::1]')).toEqual({ host: '2001:db8::1', port: 3478, transport: 'udp' });
    expect(() => parseTurnUrl('stun:203.0.113.7')).toThrow('not a TURN URL');
  });

  it('should open the socket with the protocol version (and the room and ticket), keeping the stage path', () => {
    const room = createRoomId();
    expect(memberConnectUrl('wss://abc.execute-api.eu-west-1.amazonaws.com/v1', room, undefined)).toBe(
      'wss://abc.execute-api.eu-west-1.amazonaws.com/v1?v=1',
    );
    expect(memberConnectUrl('wss://abc.execute-api.eu-west-1.amazonaws.com/v1', room, 'a.b')).toBe(
      `wss://abc.execute-api.eu-west-1.amazonaws.com/v1?room=${room}&ticket=a.b&v=1`,
    );
  });
});
