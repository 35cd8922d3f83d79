import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type LocalSystem, startLocalSystem } from '@parley/local';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CheckResult, checkDeployment, memberConnectUrl, parseTurnUrl, targetFromStack } from './deployment-check';

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

const escapeXml = (text: string) => text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

/**
 * A CloudFormation stand-in on loopback that answers DescribeStacks in the service's query protocol (form-encoded
 * request, XML answer), with the given stacks' outputs; any other stack name gets CloudFormation's ValidationError.
 */
async function startFakeCloudFormation(stacks: Record<string, Record<string, string>>): Promise<{
  endpoint: string;
  server: Server;
}> {
  const server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk) => {
      body += chunk;
    });
    request.on('end', () => {
      const form = new URLSearchParams(body);
      const name = form.get('StackName') ?? '';
      const outputs = stacks[name];
      const xmlns = 'http://cloudformation.amazonaws.com/doc/2010-05-15/';
      response.setHeader('content-type', 'text/xml');
      if (form.get('Action') !== 'DescribeStacks' || !outputs) {
        response.statusCode = 400;
        response.end(
          `<ErrorResponse xmlns="${xmlns}"><Error><Type>Sender</Type><Code>ValidationError</Code><Message>Stack with id ${escapeXml(name)} does not exist</Message></Error><RequestId>1</RequestId></ErrorResponse>`,
        );
        return;
      }
      const members = Object.entries(outputs)
        .map(
          ([key, value]) =>
            `<member><OutputKey>${key}</OutputKey><OutputValue>${escapeXml(value)}</OutputValue></member>`,
        )
        .join('');
      response.end(
        `<DescribeStacksResponse xmlns="${xmlns}"><DescribeStacksResult><Stacks><member><StackName>${escapeXml(name)}</StackName><StackStatus>CREATE_COMPLETE</StackStatus><CreationTime>2026-12-07T00:00:00Z</CreationTime><Outputs>${members}</Outputs></member></Stacks></DescribeStacksResult><ResponseMetadata><RequestId>1</RequestId></ResponseMetadata></DescribeStacksResponse>`,
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('no address');
  return { endpoint: `http://127.0.0.1:${address.port}`, server };
}

/** The stand-in as the client's endpoint, with throwaway credentials: nothing here reaches AWS. */
const fakeAws = (endpoint: string) => ({
  endpoint,
  region: 'eu-west-1',
  credentials: { accessKeyId: 'AKIDEXAMPLE', secretAccessKey: 'not-a-secret' },
});

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
    const results = await checkDeployment({ siteUrl: system.siteUrl ?? '', signalingUrl: system.signalingUrl }, (r) =>
      reported.push(r),
    );
    expect(reported).toEqual(results);
    expect(results.map((r) => [r.step, r.ok])).toEqual([
      ['Site', true],
      ['Security headers', true],
      ['Signaling', true],
      ['TURN credentials', true],
      [`TURN over UDP (127.0.0.1:${system.turn?.port})`, true],
      [`TURN over TCP (127.0.0.1:${system.turn?.port})`, true],
    ]);
    expect(byStep(results).get('TURN credentials')?.detail).toBe('2 TURN URLs with short-lived credentials');
  });

  it('should find the site and signaling from the stack outputs, as after `cdk deploy`', async () => {
    const cloudFormation = await startFakeCloudFormation({
      'Parley-Family': {
        SiteUrl: system.siteUrl ?? '',
        SignalingUrl: system.signalingUrl,
        TurnAddress: `127.0.0.1:${system.turn?.port}`,
      },
    });
    try {
      const target = await targetFromStack('Parley-Family', fakeAws(cloudFormation.endpoint));
      expect(target).toEqual({ siteUrl: system.siteUrl, signalingUrl: system.signalingUrl });
      const results = await checkDeployment(target);
      expect(results.filter((r) => !r.ok)).toEqual([]);
      await expect(targetFromStack('Parley', fakeAws(cloudFormation.endpoint))).rejects.toThrow(
        /cannot read the stack "Parley": Stack with id Parley does not exist\. Check that your AWS credentials and region/,
      );
    } finally {
      cloudFormation.server.close();
    }
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
    const results = byStep(await checkDeployment({ siteUrl: system.siteUrl ?? '' }));
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

  it('should open the socket with the protocol version, keeping the stage path', () => {
    expect(memberConnectUrl('wss://abc.execute-api.eu-west-1.amazonaws.com/v1')).toBe(
      'wss://abc.execute-api.eu-west-1.amazonaws.com/v1?v=1',
    );
  });
});
