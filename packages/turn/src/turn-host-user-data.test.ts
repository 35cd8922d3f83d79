import { type ChildProcess, execFileSync, spawn, spawnSync } from 'node:child_process';
import { createHash, createHmac, randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import {
  chmodSync,
  chownSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readFileSync,
  rmSync,
  statSync,
  writeFileSync,
} from 'node:fs';
import { createServer, type IncomingMessage, type Server } from 'node:http';
import { type AddressInfo, connect as connectTcp, type Socket as TcpSocket } from 'node:net';
import { tmpdir } from 'node:os';
import { dirname, join } from 'node:path';
import { connect as connectTls } from 'node:tls';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { turnConfigFromArgs } from './cli';
import { type CoturnProcess, findTurnserver, startCoturn } from './coturn-process';
import { turnRestCredentials } from './rest-credentials';
import { encodeStunMessage, newTransactionId, StunClass, StunMethod } from './stun-message';
import { STUN_REQUEST_TIMEOUT_MS, STUN_RETRANSMIT_INTERVAL_MS, TurnClient, TurnRequestError } from './turn-client';
import { renderTurnHostFirewall, TURN_HOST_FIREWALL_TABLE } from './turn-host-firewall';
import {
  EC2_USER_DATA_MAX_BYTES,
  renderTurnHostUserData,
  TURN_HOST_CONF_PATH,
  TURN_HOST_EXEC_START,
  TURN_HOST_FIREWALL_EXEC_START_PRE,
  TURN_HOST_FIREWALL_PATH,
  TURN_HOST_SYSTEMD_DROP_IN_PATH,
  TURN_HOST_TEST_SEAMS,
  TURN_HOST_TLS_PEM_PATH,
  TURN_HOST_USER,
  type TurnHostUserDataOptions,
} from './turn-host-user-data';
import {
  TURN_FIREWALL_TCP_CONNECTIONS_PER_ADDRESS,
  TURN_FIREWALL_TCP_NEW_CONNECTION_BURST,
  TURN_FIREWALL_TCP_NEW_CONNECTIONS_PER_MINUTE,
  TURN_FIREWALL_UDP_PACKET_BURST,
  TURN_FIREWALL_UDP_PACKETS_PER_SECOND,
  TURN_LISTENING_PORT,
  TURN_RELAY_MAX_PORT,
  TURN_RELAY_MIN_PORT,
  TURN_TCP_FALLBACK_PORT,
  TURN_TLS_LISTENING_PORT,
} from './turn-limits';
import { renderTurnserverConf, TurnConfigError } from './turnserver-conf';

/**
 * The sandbox: the user-data script runs for real (bash, curl, python3, chown), with loopback stand-ins for the
 * instance metadata service and Secrets Manager and PATH shims for apt-get and systemctl. The turnserver.conf it
 * writes then runs in real coturn inside a network namespace ("the TURN host"), reached from this process ("the
 * client", root namespace) over a veth pair, and relaying to an echo peer in a second namespace. The firewall it
 * writes is loaded into that namespace the way coturn's unit loads it. Every address is a documentation address,
 * which the deny list deliberately leaves allowed, except the metadata service's own on the host's loopback.
 */
const HOST = { privateIp: '198.51.100.10', publicIp: '203.0.113.10', relayIpv6: '2001:db8:1::10' };
const CLIENT_IP = '198.51.100.20';
/** More client addresses on the same link, one per firewall test, so one test's limits never spill into another's. */
const CLIENT_ADDRESSES = {
  udpFlooder: '198.51.100.21',
  tcpHoarder: '198.51.100.22',
  tcpChurner: '198.51.100.23',
  bystander: '198.51.100.24',
} as const;
/** The instance metadata service's addresses, given to the sandbox host's loopback; a stand-in answers there. */
const METADATA = { ip: '169.254.169.254', ipv6: 'fd00:ec2::254', port: 80 } as const;
/** Datagrams the UDP flood sends from one address: four times the firewall's burst, far beyond what it lets in. */
const UDP_FLOOD_PACKETS = 4 * TURN_FIREWALL_UDP_PACKET_BURST;
/** Time the kernel may still spend on queued flood packets after the last send returns (its backlog is short). */
const KERNEL_QUEUE_SLACK_SECONDS = 0.1;
/** New TCP connections the churn test tries at most: well past the burst, so it ends with a refusal. */
const MAX_CHURN_ATTEMPTS = TURN_FIREWALL_TCP_NEW_CONNECTION_BURST + 100;
const PEER = { ip: '192.0.2.30', ipv6: '2001:db8:2::30', gateway: '192.0.2.1', gatewayIpv6: '2001:db8:2::1' };
const PEER_PORT = 40_000;
const REGION = 'eu-west-1';
const SECRET_ARN = `arn:aws:secretsmanager:${REGION}:123456789012:secret:parley-turn-AbCdEf`;
const TURN_SECRET = 'Sandbox0Turn0Secret0With0Enough0Entropy48chars00';
const ROLE = {
  name: 'parley-turn-host',
  accessKeyId: 'ASIASANDBOXKEY000001',
  secret: randomBytes(30).toString('base64'),
};
const ROLE_SESSION_TOKEN = randomBytes(48).toString('base64');

/** Ranges the Enable Security coturn hardening guide lists that the deny list gained later: one address of each. */
const NEWER_DENIED_IPV4 = ['192.31.196.1', '192.175.48.6', '192.52.193.1'];
const NEWER_DENIED_IPV6 = ['2001:4:112::1', '2620:4f:8000::42', '2001:3::1', '5f00::1', '3fff::1', '3fff:fff::1'];

/** How long the script may take in the sandbox (it downloads nothing; it normally finishes in well under a second). */
const SCRIPT_TIMEOUT_MS = 20_000;
/** The sandbox's own nftables table in the TURN host namespace, which counts what the host firewall let through. */
const SANDBOX_PROBE_TABLE = 'sandbox_probe';
/** How long a TCP connection attempt inside the sandbox may take (it is answered or refused at once). */
const CONNECT_TIMEOUT_MS = 5_000;
/** How long the echo peer may take to bind its sockets. */
const PEER_READY_TIMEOUT_MS = 10_000;

const userDataOptions: TurnHostUserDataOptions = {
  secretArn: SECRET_ARN,
  region: REGION,
  elasticIp: HOST.publicIp,
  realm: 'parley',
  listeningPort: TURN_LISTENING_PORT,
  minPort: TURN_RELAY_MIN_PORT,
  maxPort: TURN_RELAY_MAX_PORT,
};
const tlsOptions: TurnHostUserDataOptions = {
  ...userDataOptions,
  tls: { certificateSecretArn: `${SECRET_ARN}-tls`, port: TURN_TLS_LISTENING_PORT },
};

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('renderTurnHostUserData', () => {
  it.each([
    ['without TLS', userDataOptions],
    ['with TLS', tlsOptions],
  ])('should render a shellcheck-clean bash script %s', (_, options) => {
    const result = spawnSync('shellcheck', ['--shell=bash', '--severity=style', '-'], {
      input: renderTurnHostUserData(options),
      encoding: 'utf8',
    });
    expect(result.error, 'shellcheck must be installed').toBeUndefined();
    expect(result.stdout + result.stderr).toBe('');
    expect(result.status).toBe(0);
  });

  it('should fit EC2’s user-data limit with room for long CloudFormation values', () => {
    const long = { ...tlsOptions, secretArn: `${SECRET_ARN}${'x'.repeat(200)}`, realm: `${'r'.repeat(60)}.example` };
    expect(Buffer.byteLength(renderTurnHostUserData(long))).toBeLessThan(EC2_USER_DATA_MAX_BYTES);
  });

  it.each([
    ['a quote in the secret ARN', { secretArn: "arn'; reboot; '" }],
    ['a newline in the region', { region: 'eu-west-1\nreboot' }],
    ['a realm that is no DNS name', { realm: 'parley\nno-auth' }],
    ['a listening port inside the relay range', { listeningPort: 50_000 }],
  ])('should refuse %s', (_, change) => {
    expect(() => renderTurnHostUserData({ ...userDataOptions, ...change })).toThrow(TurnConfigError);
  });
});

/** Every namespace name a sandbox of this file may have created; none may outlive the file. */
const createdNamespaces: string[] = [];
afterAll(() => {
  const remaining = spawnSync('ip', ['netns', 'list'], { encoding: 'utf8' }).stdout ?? '';
  const left = remaining.split('\n').map((line) => line.split(' ')[0]);
  expect(createdNamespaces.filter((name) => left.includes(name))).toEqual([]);
});

describe('the sandbox host', () => {
  // Checked on their own, so a machine that cannot run the sandbox fails here by name rather than in a hook.
  it('should have root, ip netns, coturn, setpriv, python3 and a curl that signs SigV4', () => {
    expect(process.getuid?.(), 'the sandbox needs root').toBe(0);
    expect(findTurnserver(), 'coturn (apt-get install coturn)').toBeDefined();
    for (const [command, args] of [
      ['ip', ['netns', 'list']],
      ['setpriv', ['--version']],
      ['python3', ['--version']],
    ] as const) {
      expect(spawnSync(command, args).status, command).toBe(0);
    }
    expect(spawnSync('curl', ['--help', 'all'], { encoding: 'utf8' }).stdout).toContain('--aws-sigv4');
  });
});

describe('when the user-data runs on a sandbox host', () => {
  const sandbox = new Sandbox();
  let run: { status: number | null; stderr: string };

  beforeAll(async () => {
    await sandbox.prepare();
    run = await sandbox.runUserData(renderTurnHostUserData(userDataOptions));
  });
  afterAll(() => sandbox.dispose());

  it('should finish successfully', () => {
    expect(run.stderr).toContain(`coturn is running on ${HOST.privateIp} (public ${HOST.publicIp})`);
    expect(run.status).toBe(0);
  });

  it('should write exactly what `turn-config --profile production` prints for the same addresses and secret', () => {
    const secretFile = join(sandbox.directory, 'turn-secret');
    writeFileSync(secretFile, `${TURN_SECRET}\n`);
    const printed = turnConfigFromArgs([
      ...['--profile', 'production', '--public-ip', HOST.publicIp, '--private-ip', HOST.privateIp],
      ...['--secret-file', secretFile],
    ]);
    expect(sandbox.read(TURN_HOST_CONF_PATH)).toBe(printed);
    expect(printed).toBe(
      renderTurnserverConf({
        profile: 'production',
        secret: TURN_SECRET,
        realm: 'parley',
        listeningPort: TURN_LISTENING_PORT,
        minPort: TURN_RELAY_MIN_PORT,
        maxPort: TURN_RELAY_MAX_PORT,
        externalIp: { public: HOST.publicIp, private: HOST.privateIp },
      }),
    );
  });

  it('should keep the configuration (it holds the secret) readable by root and coturn’s group only', () => {
    const stat = statSync(sandbox.path(TURN_HOST_CONF_PATH));
    expect(stat.mode & 0o777).toBe(0o640);
    expect(stat.uid).toBe(0);
    const turnserverGroup = Number(execFileSync('getent', ['group', 'turnserver'], { encoding: 'utf8' }).split(':')[2]);
    expect(stat.gid).toBe(turnserverGroup);
    const folder = statSync(sandbox.path(dirname(TURN_HOST_CONF_PATH)));
    expect({ mode: folder.mode & 0o777, uid: folder.uid, gid: folder.gid }).toEqual({
      mode: 0o750,
      uid: 0,
      gid: turnserverGroup,
    });
  });

  it('should ask IMDSv2 for a session token and present it on every metadata read', () => {
    expect(sandbox.imds.tokensIssued).toBeGreaterThan(0);
    expect(sandbox.imds.refusedReads).toBe(0);
    expect(sandbox.imds.reads).toEqual(
      expect.arrayContaining([
        'meta-data/local-ipv4',
        'meta-data/public-ipv4',
        'meta-data/iam/security-credentials/',
        `meta-data/iam/security-credentials/${ROLE.name}`,
      ]),
    );
  });

  it('should read the TURN secret with a request signed by the instance role’s temporary credentials', () => {
    expect(sandbox.secretsManager.requests).toEqual([
      { secretId: SECRET_ARN, accessKeyId: ROLE.accessKeyId, sessionToken: ROLE_SESSION_TOKEN, signatureValid: true },
    ]);
  });

  it('should install coturn with apt, without letting the package start it on its default configuration', () => {
    const apt = sandbox.shimCalls('apt-get');
    expect(apt.some((call) => call.includes('update'))).toBe(true);
    const install = apt.find((call) => call.includes('install'));
    expect(install).toEqual(expect.arrayContaining(['-y', 'coturn', 'nftables']));
    expect(sandbox.shimCalls('policy-rc.d-present-during-install')).toEqual([['yes']]);
    expect(existsSync(sandbox.path('/usr/sbin/policy-rc.d'))).toBe(false);
  });

  it('should run coturn under systemd on this configuration, restarting it whenever it fails', () => {
    const dropIn = sandbox.read(TURN_HOST_SYSTEMD_DROP_IN_PATH).split('\n');
    expect(dropIn).toEqual(
      expect.arrayContaining([
        '[Service]',
        'ExecStart=',
        `ExecStart=${TURN_HOST_EXEC_START}`,
        'Restart=on-failure',
        'StartLimitIntervalSec=0',
      ]),
    );
    expect(sandbox.shimCalls('systemctl')).toEqual([['daemon-reload'], ['enable', 'coturn'], ['restart', 'coturn']]);
  });

  it('should load the host firewall as root before coturn starts, every time it starts', () => {
    const service = sandbox.read(TURN_HOST_SYSTEMD_DROP_IN_PATH).split('\n');
    expect(service).toContain(`ExecStartPre=${TURN_HOST_FIREWALL_EXEC_START_PRE}`);
    expect(service.indexOf(`ExecStartPre=${TURN_HOST_FIREWALL_EXEC_START_PRE}`)).toBeLessThan(
      service.indexOf(`ExecStart=${TURN_HOST_EXEC_START}`),
    );
    expect(TURN_HOST_FIREWALL_EXEC_START_PRE).toMatch(/^\+/);
  });

  it('should write the firewall the generator renders, with TURN over TCP on 443 and no TLS port, root-only', () => {
    expect(sandbox.read(TURN_HOST_FIREWALL_PATH)).toBe(
      renderTurnHostFirewall({
        listeningPort: TURN_LISTENING_PORT,
        tcpFallbackPort: TURN_TCP_FALLBACK_PORT,
        turnUser: TURN_HOST_USER,
      }),
    );
    const stat = statSync(sandbox.path(TURN_HOST_FIREWALL_PATH));
    expect({ mode: stat.mode & 0o777, uid: stat.uid }).toEqual({ mode: 0o600, uid: 0 });
  });

  describe('when the TURN host serves on the written configuration', () => {
    let coturn: CoturnProcess;
    const clients: TurnClient[] = [];
    const allocate = async (family?: 'ipv6') => {
      const client = await TurnClient.open({ address: HOST.privateIp, port: TURN_LISTENING_PORT });
      clients.push(client);
      const credentials = turnRestCredentials({
        secret: TURN_SECRET,
        label: `sandbox-${clients.length}`,
        expiresAtSeconds: nowSeconds() + 600,
      });
      return { client, allocation: await client.allocate({ ...credentials, ...(family ? { family } : {}) }) };
    };

    beforeAll(async () => {
      await sandbox.createNetwork();
      sandbox.loadFirewall();
      coturn = await sandbox.startCoturn(TURN_HOST_CONF_PATH);
    });
    afterAll(async () => {
      for (const client of clients.splice(0)) client.close();
      await coturn?.stop();
    });

    it('should allocate a relay advertised on the public address (external-ip mapping)', async () => {
      const { client, allocation } = await allocate();
      expect(allocation.relayed.address).toBe(HOST.publicIp);
      expect(allocation.relayed.port).toBeGreaterThanOrEqual(TURN_RELAY_MIN_PORT);
      expect(allocation.relayed.port).toBeLessThanOrEqual(TURN_RELAY_MAX_PORT);
      expect(allocation.mapped.address).toBe(CLIENT_IP);
      await client.refresh(0);
    });

    it('should relay to a peer on another host and back, by indication and by channel', async () => {
      const { client } = await allocate();
      const peer = { address: PEER.ip, port: PEER_PORT };
      await client.createPermission(PEER.ip);
      client.send(peer, Buffer.from('hello peer'));
      const echoed = await client.nextData();
      expect(echoed).toEqual({ peer, data: Buffer.from('echo:hello peer') });
      await client.channelBind(0x4000, peer);
      client.sendOnChannel(0x4000, Buffer.from('on a channel'));
      expect((await client.nextData()).data.toString()).toBe('echo:on a channel');
      await client.refresh(0);
    });

    it.each([
      ['127.0.0.1', 'loopback'],
      ['10.0.0.1', 'private (the VPC)'],
      ['172.16.0.1', 'private'],
      ['192.168.1.1', 'private'],
      ['100.64.0.1', 'carrier-grade NAT'],
      ['169.254.169.254', 'instance metadata'],
      ['224.0.0.1', 'multicast'],
    ])('should refuse CreatePermission for %s (%s) with 403', async (address) => {
      const { client } = await allocate();
      const refusal = await client.createPermission(address).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(TurnRequestError);
      expect((refusal as TurnRequestError).code).toBe(403);
      await client.refresh(0);
    });

    it('should refuse the AS112 and AMT ranges with 403 while the control peer stays allowed', async () => {
      const { client } = await allocate();
      for (const address of NEWER_DENIED_IPV4) {
        await expect(client.createPermission(address), address).rejects.toMatchObject({ code: 403 });
      }
      await client.createPermission(PEER.ip);
      await client.refresh(0);
    });

    /**
     * When both callers need the relay, each one's peer is the other's relayed address: this host's public address.
     * coturn maps it to the private address and always allows that one ("Whitelisting external-ip private part"),
     * whatever the deny list says; calls where both sides are relayed depend on it.
     */
    it('should relay between two allocations on this host through its public address', async () => {
      const [alice, bob] = await Promise.all([allocate(), allocate()]);
      await alice.client.createPermission(HOST.publicIp);
      await bob.client.createPermission(HOST.publicIp);
      alice.client.send(bob.allocation.relayed, Buffer.from('relay to relay'));
      const received = await bob.client.nextData();
      expect(received).toEqual({ peer: alice.allocation.relayed, data: Buffer.from('relay to relay') });
      await Promise.all([alice.client.refresh(0), bob.client.refresh(0)]);
    });

    it('should refuse IPv6 and IPv4-mapped peers on its IPv4-only relay (443: no IPv6 relay exists)', async () => {
      const { client } = await allocate();
      for (const address of ['::ffff:127.0.0.1', '::ffff:169.254.169.254', 'fd00:ec2::254']) {
        await expect(client.createPermission(address)).rejects.toMatchObject({ code: 443 });
      }
      await client.refresh(0);
    });
  });

  /**
   * The host firewall as the unit loads it, on the same namespace: TURN over TCP on 443, per-client-address limits,
   * and no metadata service for coturn's user. Each test uses client addresses of its own.
   */
  describe('when the TURN host’s firewall is loaded', () => {
    let coturn: CoturnProcess;
    const clients: TurnClient[] = [];

    beforeAll(async () => {
      await sandbox.createNetwork();
      sandbox.loadFirewall();
      coturn = await sandbox.startCoturn(TURN_HOST_CONF_PATH);
    });
    afterAll(async () => {
      for (const client of clients.splice(0)) client.close();
      await coturn?.stop();
    });

    it('should answer TURN over TCP on 443 (redirected to the TURN port): an allocation that relays to a peer', async () => {
      const client = await TurnClient.openTcp({ address: HOST.privateIp, port: TURN_TCP_FALLBACK_PORT });
      clients.push(client);
      const credentials = turnRestCredentials({
        secret: TURN_SECRET,
        label: 'sandbox-tcp-443',
        expiresAtSeconds: nowSeconds() + 600,
      });
      const allocation = await client.allocate(credentials);
      expect(allocation.relayed.address).toBe(HOST.publicIp);
      expect(allocation.mapped.address).toBe(CLIENT_IP);
      const peer = { address: PEER.ip, port: PEER_PORT };
      await client.createPermission(PEER.ip);
      client.send(peer, Buffer.from('over tcp 443'));
      expect(await client.nextData()).toEqual({ peer, data: Buffer.from('echo:over tcp 443') });
      await client.channelBind(0x4001, peer);
      client.sendOnChannel(0x4001, Buffer.from('odd'));
      expect((await client.nextData()).data.toString()).toBe('echo:odd');
      await client.refresh(0);
    });

    it('should refuse coturn’s user the instance metadata service, while root and other destinations still work', async () => {
      await sandbox.startMetadataStandIn();
      const asTurnUser = ['setpriv', '--reuid=turnserver', '--regid=turnserver', '--init-groups'];
      // The kernel reports "administratively prohibited" as EHOSTUNREACH for IPv4 and EACCES for IPv6.
      expect(sandbox.tcpConnectFromHost(asTurnUser, METADATA.ip, METADATA.port)).toBe('EHOSTUNREACH');
      expect(sandbox.tcpConnectFromHost(asTurnUser, METADATA.ipv6, METADATA.port)).toBe('EACCES');
      // Controls: the same listener is reachable by root, and by coturn's user on another address.
      expect(sandbox.tcpConnectFromHost([], METADATA.ip, METADATA.port)).toBe('connected');
      expect(sandbox.tcpConnectFromHost([], METADATA.ipv6, METADATA.port)).toBe('connected');
      expect(sandbox.tcpConnectFromHost(asTurnUser, HOST.privateIp, METADATA.port)).toBe('connected');
      expect(sandbox.firewallCounter('turn_user_egress', 'no instance metadata for coturn')).toBeGreaterThan(0);
    });

    it('should cut a UDP flood from one address to the rate limit, while a second address still gets answers', async () => {
      sandbox.countAdmittedUdp(CLIENT_ADDRESSES.udpFlooder);
      const flood = await floodWithBindingRequests(CLIENT_ADDRESSES.udpFlooder, UDP_FLOOD_PACKETS);
      const bystander = await TurnClient.open(
        { address: HOST.privateIp, port: TURN_LISTENING_PORT },
        CLIENT_ADDRESSES.bystander,
      );
      clients.push(bystander);
      expect(await bystander.binding()).toEqual(expect.objectContaining({ address: CLIENT_ADDRESSES.bystander }));
      // The allowance: the burst, plus the rate over the flood and the probe after it (the kernel may still be
      // working through queued packets when the last send returns).
      const seconds = (flood.elapsedMs + flood.probeMs) / 1000 + KERNEL_QUEUE_SLACK_SECONDS;
      const admitted = sandbox.admittedUdp();
      expect(admitted).toBeLessThanOrEqual(
        TURN_FIREWALL_UDP_PACKET_BURST + TURN_FIREWALL_UDP_PACKETS_PER_SECOND * seconds,
      );
      expect(sandbox.firewallCounter('client_limits', 'UDP packets per IPv4 address')).toBeGreaterThan(0);
      expect(flood.answers).toBeLessThanOrEqual(admitted);
    });

    it('should refuse one address more open TCP connections than the cap, while a second address still connects', async () => {
      const open: TcpSocket[] = [];
      try {
        for (let index = 0; index < TURN_FIREWALL_TCP_CONNECTIONS_PER_ADDRESS; index++) {
          open.push(await openTcp(CLIENT_ADDRESSES.tcpHoarder, TURN_LISTENING_PORT));
        }
        await expect(openTcp(CLIENT_ADDRESSES.tcpHoarder, TURN_LISTENING_PORT)).rejects.toMatchObject({
          code: 'ECONNREFUSED',
        });
        // Through 443 too: the redirected connections are the same connections to the TURN port.
        await expect(openTcp(CLIENT_ADDRESSES.tcpHoarder, TURN_TCP_FALLBACK_PORT)).rejects.toMatchObject({
          code: 'ECONNREFUSED',
        });
        (await openTcp(CLIENT_ADDRESSES.bystander, TURN_LISTENING_PORT)).destroy();
        expect(sandbox.firewallCounter('client_limits', 'open TCP connections per IPv4 address')).toBe(2);
      } finally {
        for (const socket of open) socket.destroy();
      }
    });

    it('should let one address open the burst of new TCP connections, refuse the next, and still admit a second address', async () => {
      const started = Date.now();
      let accepted = 0;
      let refusal: Error | undefined;
      // Each connection is reset at once (conntrack then stops counting it), so only the rate limit can refuse one.
      for (let attempt = 0; attempt < MAX_CHURN_ATTEMPTS && !refusal; attempt++) {
        const outcome: TcpSocket | Error = await openTcp(CLIENT_ADDRESSES.tcpChurner, TURN_TCP_FALLBACK_PORT).catch(
          (error: Error) => error,
        );
        if (outcome instanceof Error) refusal = outcome;
        else {
          outcome.resetAndDestroy();
          accepted++;
        }
      }
      const refills = Math.ceil(((Date.now() - started) / 60_000) * TURN_FIREWALL_TCP_NEW_CONNECTIONS_PER_MINUTE);
      expect(refusal).toMatchObject({ code: 'ECONNREFUSED' });
      expect(accepted).toBeGreaterThanOrEqual(TURN_FIREWALL_TCP_NEW_CONNECTION_BURST);
      expect(accepted).toBeLessThanOrEqual(TURN_FIREWALL_TCP_NEW_CONNECTION_BURST + refills);
      expect(sandbox.firewallCounter('client_limits', 'new TCP connections per IPv4 address')).toBe(1);
      (await openTcp(CLIENT_ADDRESSES.bystander, TURN_TCP_FALLBACK_PORT)).destroy();
    });
  });

  /**
   * An EC2 host in our VPC has no IPv6 address, so the written configuration relays over IPv4 only and the IPv6
   * rules of the deny list are never reached (above: 443). A host that gains IPv6 must still be safe on coturn 4.6,
   * which lets IPv4-mapped peers past IPv4-only rules (CVE-2026-27624). So the same file, plus one IPv6 relay
   * address, must refuse every IPv6 form of the forbidden addresses with 403 and still relay to a public one.
   */
  describe('when the TURN host also relays over IPv6', () => {
    let coturn: CoturnProcess;
    const clients: TurnClient[] = [];

    beforeAll(async () => {
      await sandbox.createNetwork();
      const withIpv6Relay = `${dirname(TURN_HOST_CONF_PATH)}/turnserver-with-ipv6-relay.conf`;
      sandbox.writeLike(
        withIpv6Relay,
        TURN_HOST_CONF_PATH,
        `${sandbox.read(TURN_HOST_CONF_PATH)}relay-ip=${HOST.relayIpv6}\n`,
      );
      coturn = await sandbox.startCoturn(withIpv6Relay);
    });
    afterAll(async () => {
      for (const client of clients.splice(0)) client.close();
      await coturn?.stop();
    });

    const allocateIpv6 = async () => {
      const client = await TurnClient.open({ address: HOST.privateIp, port: TURN_LISTENING_PORT });
      clients.push(client);
      const credentials = turnRestCredentials({
        secret: TURN_SECRET,
        label: `sandbox-v6-${clients.length}`,
        expiresAtSeconds: nowSeconds() + 600,
      });
      const allocation = await client.allocate({ ...credentials, family: 'ipv6' });
      expect(allocation.relayed.address).toBe(HOST.relayIpv6);
      return client;
    };

    it('should relay to a public IPv6 peer (the control: the deny list is not denying everything)', async () => {
      const client = await allocateIpv6();
      const peer = { address: PEER.ipv6, port: PEER_PORT };
      await client.createPermission(PEER.ipv6);
      client.send(peer, Buffer.from('hello v6 peer'));
      expect((await client.nextData()).data.toString()).toBe('echo:hello v6 peer');
      await client.refresh(0);
    });

    it('should refuse the AS112, AMT, SRv6 and RFC 9637 ranges with 403 while the control peer stays allowed', async () => {
      const client = await allocateIpv6();
      for (const address of NEWER_DENIED_IPV6) {
        await expect(client.createPermission(address), address).rejects.toMatchObject({ code: 403 });
      }
      await client.createPermission(PEER.ipv6);
      await client.refresh(0);
    });

    it.each([
      ['::ffff:127.0.0.1', 'IPv4-mapped loopback'],
      ['::ffff:10.0.0.1', 'IPv4-mapped private'],
      ['::ffff:172.16.0.1', 'IPv4-mapped private'],
      ['::ffff:192.168.1.1', 'IPv4-mapped private'],
      ['::ffff:169.254.169.254', 'IPv4-mapped instance metadata'],
      ['::ffff:198.51.100.10', 'IPv4-mapped form of an otherwise allowed address: IPv4 goes through IPv4 rules only'],
      ['::127.0.0.1', 'IPv4-compatible loopback'],
      ['64:ff9b::a9fe:a9fe', 'NAT64 instance metadata'],
      ['2002:a9fe:a9fe::1', '6to4 instance metadata'],
      ['::1', 'IPv6 loopback'],
      ['fd00:ec2::254', 'instance metadata over IPv6'],
      ['fe80::1', 'link-local'],
    ])('should refuse CreatePermission for %s (%s) with 403', async (address) => {
      const client = await allocateIpv6();
      const refusal = await client.createPermission(address).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(TurnRequestError);
      expect((refusal as TurnRequestError).code).toBe(403);
      await client.refresh(0);
    });
  });
});

/**
 * TURN over TLS on its standard port leaves 443 to the plain-TCP fallback (redirected to the TURN port); TLS on 443
 * takes the port for itself, and the firewall then redirects nothing. Either way, coturn serves TLS as its own user.
 */
describe.each([
  { tlsPort: TURN_TLS_LISTENING_PORT, fallback: true },
  { tlsPort: 443, fallback: false },
])('when the user-data runs on a sandbox host with TURN over TLS on $tlsPort', ({ tlsPort, fallback }) => {
  const sandbox = new Sandbox();
  const options: TurnHostUserDataOptions = {
    ...tlsOptions,
    tls: { certificateSecretArn: `${SECRET_ARN}-tls`, port: tlsPort },
  };
  let run: { status: number | null; stderr: string };
  let certificate = '';
  let coturn: CoturnProcess | undefined;

  beforeAll(async () => {
    await sandbox.prepare();
    const bundle = selfSignedCertificate(sandbox.directory, TLS_DOMAIN);
    certificate = bundle.certificate;
    sandbox.secretsManager.values.set(`${SECRET_ARN}-tls`, bundle.pem);
    run = await sandbox.runUserData(renderTurnHostUserData(options));
  });
  afterAll(async () => {
    await coturn?.stop();
    await sandbox.dispose();
  });

  it('should write the certificate bundle privately and point coturn at it', () => {
    expect(run.status).toBe(0);
    expect(sandbox.read(TURN_HOST_TLS_PEM_PATH)).toBe(`${sandbox.secretsManager.values.get(`${SECRET_ARN}-tls`)}\n`);
    expect(statSync(sandbox.path(TURN_HOST_TLS_PEM_PATH)).mode & 0o777).toBe(0o640);
    const conf = sandbox.read(TURN_HOST_CONF_PATH).split('\n');
    expect(conf).toEqual(
      expect.arrayContaining([
        `tls-listening-port=${tlsPort}`,
        `cert=${TURN_HOST_TLS_PEM_PATH}`,
        `pkey=${TURN_HOST_TLS_PEM_PATH}`,
      ]),
    );
    expect(sandbox.secretsManager.requests.map((request) => request.secretId)).toEqual([
      SECRET_ARN,
      `${SECRET_ARN}-tls`,
    ]);
  });

  it(`should ${fallback ? 'redirect 443 to the TURN port' : 'leave 443 to TLS (no redirect)'} and limit TCP on the TLS port`, () => {
    const firewall = sandbox.read(TURN_HOST_FIREWALL_PATH);
    expect(firewall).toBe(
      renderTurnHostFirewall({
        listeningPort: TURN_LISTENING_PORT,
        tlsPort,
        ...(fallback ? { tcpFallbackPort: TURN_TCP_FALLBACK_PORT } : {}),
        turnUser: TURN_HOST_USER,
      }),
    );
    expect(firewall.includes(`tcp dport ${TURN_TCP_FALLBACK_PORT} redirect`)).toBe(fallback);
  });

  it('should serve TLS with that certificate once coturn (as its own user, behind its firewall) loads the bundle', async () => {
    await sandbox.createNetwork();
    sandbox.loadFirewall();
    // The file as written, with the host path of the bundle mapped into the sandbox like the unit's command line.
    const mapped = `${dirname(TURN_HOST_CONF_PATH)}/turnserver-sandbox-paths.conf`;
    const conf = sandbox.read(TURN_HOST_CONF_PATH);
    sandbox.writeLike(
      mapped,
      TURN_HOST_CONF_PATH,
      conf.replaceAll(TURN_HOST_TLS_PEM_PATH, sandbox.path(TURN_HOST_TLS_PEM_PATH)),
    );
    coturn = await sandbox.startCoturn(mapped);
    const socket = connectTls({ host: HOST.privateIp, port: tlsPort, servername: TLS_DOMAIN, ca: certificate });
    try {
      await new Promise<void>((resolve, reject) => {
        socket.once('secureConnect', resolve);
        socket.once('error', (error) => reject(new Error(`${error.message}\n${coturn?.logs()}`)));
      });
      expect(socket.authorized).toBe(true);
      expect(['TLSv1.2', 'TLSv1.3']).toContain(socket.getProtocol());
      expect(socket.getPeerCertificate().subject.CN).toBe(TLS_DOMAIN);
    } finally {
      socket.destroy();
    }
  });

  /**
   * Measured on coturn 4.6.1: its TLS listener also takes plain TURN over TCP (it tells a TLS ClientHello from a STUN
   * message by the first bytes), so 443 answers plain TURN either way: through the redirect, or on the TLS port.
   */
  it(`should answer plain TURN over TCP on 443 too (${fallback ? 'through the redirect' : 'on the TLS listener'})`, async () => {
    const client = await TurnClient.openTcp({ address: HOST.privateIp, port: TURN_TCP_FALLBACK_PORT });
    try {
      const credentials = turnRestCredentials({
        secret: TURN_SECRET,
        label: 'sandbox-tls-443',
        expiresAtSeconds: nowSeconds() + 600,
      });
      expect((await client.allocate(credentials)).relayed.address).toBe(HOST.publicIp);
      await client.refresh(0);
    } finally {
      client.close();
    }
  });
});

/** The TURN domain of the TLS sandbox. */
const TLS_DOMAIN = 'turn.example.org';

/** A throwaway self-signed certificate for `domain`: the PEM bundle (chain, then key) and the certificate alone. */
function selfSignedCertificate(directory: string, domain: string): { pem: string; certificate: string } {
  const keyFile = join(directory, 'tls-key.pem');
  const certificateFile = join(directory, 'tls-certificate.pem');
  execFileSync(
    'openssl',
    [
      ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'],
      ...['-keyout', keyFile, '-out', certificateFile, '-subj', `/CN=${domain}`],
      ...['-addext', `subjectAltName=DNS:${domain}`],
    ],
    { stdio: ['ignore', 'ignore', 'pipe'] },
  );
  const certificate = readFileSync(certificateFile, 'utf8').trim();
  return { pem: `${certificate}\n${readFileSync(keyFile, 'utf8').trim()}`, certificate };
}

describe('when the user-data cannot learn what it needs', () => {
  const sandbox = new Sandbox();
  beforeAll(() => sandbox.prepare());
  afterAll(() => sandbox.dispose());

  it('should stop before writing a configuration when the secret has an unusable form', async () => {
    sandbox.secretsManager.values.set(SECRET_ARN, 'short');
    const run = await sandbox.runUserData(renderTurnHostUserData(userDataOptions));
    expect(run.status).not.toBe(0);
    expect(run.stderr).toContain('the TURN secret has an unusable form');
    expect(existsSync(sandbox.path(TURN_HOST_CONF_PATH))).toBe(false);
    expect(sandbox.shimCalls('systemctl')).toEqual([]);
  });
});

/** A PEM bundle of the right shape (the script only checks the shape; coturn would read it). */
const TLS_PEM = [
  '-----BEGIN CERTIFICATE-----',
  'MIIBsandbox',
  '-----END CERTIFICATE-----',
  '-----BEGIN PRIVATE KEY-----',
  'MIIEsandbox',
  '-----END PRIVATE KEY-----',
].join('\n');

/** One sandbox host: a root directory, PATH shims, the metadata and Secrets Manager stand-ins, and its network. */
class Sandbox {
  directory = '';
  readonly imds = new MetadataStandIn();
  readonly secretsManager = new SecretsManagerStandIn();
  private readonly id = `${process.pid % 10_000}${randomBytes(1).toString('hex')}`;
  readonly namespaces = { host: `parley-th-${this.id}`, peer: `parley-pe-${this.id}` };
  private peerProcess: ChildProcess | undefined;
  private metadataProcess: ChildProcess | undefined;
  private turnserver = '';
  private coturnStarts = 0;
  private networkCreated = false;

  /** Starts the stand-ins and writes the shims. Throws (failing the tests) when this machine cannot host it. */
  async prepare(): Promise<void> {
    createdNamespaces.push(...Object.values(this.namespaces));
    if (process.getuid?.() !== 0) throw new Error('the TURN host sandbox needs root (files owned by root, ip netns)');
    const turnserver = findTurnserver();
    if (!turnserver) throw new Error('coturn is not installed: apt-get install coturn');
    this.directory = mkdtempSync(join(tmpdir(), 'parley-turn-host-'));
    // Like a real host's /, /etc and /usr: traversable by coturn's user, which runs on the files written below.
    chmodSync(this.directory, 0o755);
    for (const folder of ['root', 'root/etc', 'root/usr']) mkdirSync(join(this.directory, folder), { mode: 0o755 });
    const bin = join(this.directory, 'bin');
    mkdirSync(bin);
    const shim = (name: string, extra = '') =>
      writeShim(join(bin, name), `printf '%s\\n' "$*" >>"${this.directory}/${name}.calls"\n${extra}`);
    shim('systemctl');
    // Records whether policy-rc.d held back service starts while the package was installed.
    shim(
      'apt-get',
      `case " $* " in *' install '*) [ -x "${this.path('/usr/sbin/policy-rc.d')}" ] && echo yes >>"${this.directory}/policy-rc.d-present-during-install.calls";; esac`,
    );
    this.turnserver = turnserver;
    this.secretsManager.values.set(SECRET_ARN, TURN_SECRET);
    this.secretsManager.values.set(`${SECRET_ARN}-tls`, TLS_PEM);
    await Promise.all([this.imds.start(), this.secretsManager.start()]);
  }

  /** Runs the script as cloud-init would (as root, bash), with the stand-ins and shims in place. */
  runUserData(script: string): Promise<{ status: number | null; stderr: string }> {
    const file = join(this.directory, 'user-data');
    writeFileSync(file, script, { mode: 0o700 });
    const child = spawn('bash', [file], {
      env: {
        PATH: `${join(this.directory, 'bin')}:${process.env.PATH}`,
        [TURN_HOST_TEST_SEAMS.imdsEndpoint]: this.imds.url,
        [TURN_HOST_TEST_SEAMS.secretsManagerEndpoint]: this.secretsManager.url,
        [TURN_HOST_TEST_SEAMS.rootDirectory]: join(this.directory, 'root'),
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr += chunk.toString();
    });
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        child.kill('SIGKILL');
        reject(new Error(`the user-data did not finish within ${SCRIPT_TIMEOUT_MS} ms:\n${stderr}`));
      }, SCRIPT_TIMEOUT_MS);
      child.once('close', (status) => {
        clearTimeout(timer);
        resolve({ status, stderr });
      });
    });
  }

  /** Where a host path lands in the sandbox. */
  path(hostPath: string): string {
    return join(this.directory, 'root', hostPath);
  }

  read(hostPath: string): string {
    return readFileSync(this.path(hostPath), 'utf8');
  }

  /** The argument lists a shim was called with, in order. */
  shimCalls(name: string): string[][] {
    const file = join(this.directory, `${name}.calls`);
    if (!existsSync(file)) return [];
    return readFileSync(file, 'utf8')
      .trimEnd()
      .split('\n')
      .map((line) => line.split(' '));
  }

  /**
   * The TURN host namespace (its "private" address faces the client in the root namespace, a second link faces the
   * peer's namespace) and an echo peer. Created once, torn down by {@link dispose}.
   */
  async createNetwork(): Promise<void> {
    if (this.networkCreated) return;
    this.networkCreated = true;
    const { host, peer } = this.namespaces;
    const clientLink = `pc${this.id}`;
    const ip = (...args: string[]) => execFileSync('ip', args, { stdio: ['ignore', 'ignore', 'pipe'] });
    ip('netns', 'add', host);
    ip('netns', 'add', peer);
    ip('link', 'add', clientLink, 'type', 'veth', 'peer', 'name', 'eth0', 'netns', host);
    ip('addr', 'add', `${CLIENT_IP}/24`, 'dev', clientLink);
    for (const address of Object.values(CLIENT_ADDRESSES)) ip('addr', 'add', `${address}/24`, 'dev', clientLink);
    ip('link', 'set', clientLink, 'up');
    ip('-n', host, 'link', 'set', 'lo', 'up');
    ip('-n', host, 'addr', 'add', `${METADATA.ip}/32`, 'dev', 'lo');
    ip('-n', host, '-6', 'addr', 'add', `${METADATA.ipv6}/128`, 'dev', 'lo');
    ip('-n', host, 'addr', 'add', `${HOST.privateIp}/24`, 'dev', 'eth0');
    ip('-n', host, '-6', 'addr', 'add', `${HOST.relayIpv6}/64`, 'dev', 'eth0', 'nodad');
    ip('-n', host, 'link', 'set', 'eth0', 'up');
    ip('-n', host, 'link', 'add', 'eth1', 'type', 'veth', 'peer', 'name', 'eth0', 'netns', peer);
    ip('-n', host, 'addr', 'add', `${PEER.gateway}/24`, 'dev', 'eth1');
    ip('-n', host, '-6', 'addr', 'add', `${PEER.gatewayIpv6}/64`, 'dev', 'eth1', 'nodad');
    ip('-n', host, 'link', 'set', 'eth1', 'up');
    ip('-n', peer, 'link', 'set', 'lo', 'up');
    ip('-n', peer, 'addr', 'add', `${PEER.ip}/24`, 'dev', 'eth0');
    ip('-n', peer, '-6', 'addr', 'add', `${PEER.ipv6}/64`, 'dev', 'eth0', 'nodad');
    ip('-n', peer, 'link', 'set', 'eth0', 'up');
    ip('-n', peer, 'route', 'add', 'default', 'via', PEER.gateway);
    ip('-n', peer, '-6', 'route', 'add', 'default', 'via', PEER.gatewayIpv6);
    this.peerProcess = await startEchoPeer(peer);
  }

  /** Loads the written firewall into the TURN host namespace the way the unit's ExecStartPre does (as root). */
  loadFirewall(): void {
    const command = TURN_HOST_FIREWALL_EXEC_START_PRE.replace(/^\+/, '')
      .replace(TURN_HOST_FIREWALL_PATH, this.path(TURN_HOST_FIREWALL_PATH))
      .split(' ');
    execFileSync('ip', ['netns', 'exec', this.namespaces.host, ...command], { stdio: ['ignore', 'ignore', 'pipe'] });
  }

  /** The packets a firewall rule (found by its comment) has counted since the firewall was loaded. */
  firewallCounter(chain: string, comment: string): number {
    const listing = execFileSync(
      'ip',
      ['netns', 'exec', this.namespaces.host, 'nft', '-j', 'list', 'chain', 'inet', TURN_HOST_FIREWALL_TABLE, chain],
      { encoding: 'utf8' },
    );
    const rules = (JSON.parse(listing) as { nftables: { rule?: { comment?: string; expr: unknown[] } }[] }).nftables
      .map((item) => item.rule)
      .filter((rule) => rule?.comment === comment);
    if (rules.length === 0) throw new Error(`no rule "${comment}" in chain ${chain}`);
    return rules
      .flatMap((rule) => rule?.expr ?? [])
      .map((expression) => (expression as { counter?: { packets: number } }).counter?.packets ?? 0)
      .reduce((sum, packets) => sum + packets, 0);
  }

  /**
   * Counts, after the host firewall (a table of the sandbox's own at a later priority), the UDP packets to the TURN
   * port from one address that the firewall let through. Read with {@link admittedUdp}.
   */
  countAdmittedUdp(address: string): void {
    const ruleset = [
      `table inet ${SANDBOX_PROBE_TABLE} {`,
      '  chain admitted {',
      '    type filter hook input priority filter + 10; policy accept;',
      `    ip saddr ${address} udp dport ${TURN_LISTENING_PORT} counter`,
      '  }',
      '}',
    ].join('\n');
    execFileSync('ip', ['netns', 'exec', this.namespaces.host, 'nft', '-f', '-'], { input: ruleset });
  }

  /** The packets {@link countAdmittedUdp} has counted. */
  admittedUdp(): number {
    const listing = execFileSync(
      'ip',
      ['netns', 'exec', this.namespaces.host, 'nft', '-j', 'list', 'chain', 'inet', SANDBOX_PROBE_TABLE, 'admitted'],
      { encoding: 'utf8' },
    );
    const counter = /"counter":\s*\{\s*"packets":\s*(\d+)/.exec(listing);
    if (!counter) throw new Error(`no counter in the probe table: ${listing}`);
    return Number(counter[1]);
  }

  /** A TCP listener on the metadata addresses (and every other address) of the TURN host namespace, run by root. */
  async startMetadataStandIn(): Promise<void> {
    if (this.metadataProcess) return;
    this.metadataProcess = await startInNamespace(
      this.namespaces.host,
      `const net = require('node:net');
      let listening = 0;
      for (const host of ['0.0.0.0', '::']) {
        const server = net.createServer((socket) => socket.end());
        server.on('error', (error) => { console.error(error.message); process.exit(1); });
        server.listen({ host, port: ${METADATA.port}, ipv6Only: host === '::' }, () => { if (++listening === 2) console.log('ready'); });
      }`,
      'metadata stand-in',
    );
  }

  /**
   * Connects from inside the TURN host namespace, as root or through \`runAs\` (e.g. setpriv as coturn's user), and
   * returns "connected" or the error code the process saw.
   */
  tcpConnectFromHost(runAs: string[], address: string, port: number): string {
    const program = `const socket = require('node:net').connect({ host: ${JSON.stringify(address)}, port: ${port} });
      socket.on('connect', () => { console.log('connected'); socket.destroy(); });
      socket.on('error', (error) => console.log(error.code));`;
    return execFileSync('ip', ['netns', 'exec', this.namespaces.host, ...runAs, process.execPath, '-e', program], {
      encoding: 'utf8',
      timeout: CONNECT_TIMEOUT_MS,
    }).trim();
  }

  /**
   * Real coturn in the TURN host namespace, started the way the systemd unit starts it: as the turnserver user, with
   * the drop-in's command line, on a configuration file in the sandbox root (the launcher's own copy is ignored).
   */
  startCoturn(hostConfPath: string): Promise<CoturnProcess> {
    const execStart = TURN_HOST_EXEC_START.replace(TURN_HOST_CONF_PATH, this.path(hostConfPath));
    const wrapper = join(this.directory, 'bin', `turnserver-as-in-unit-${++this.coturnStarts}`);
    // The drop-in grants the capability to bind a privileged port (TLS on 443); so does the wrapper, and only then.
    const bindsPrivilegedPort = this.read(TURN_HOST_SYSTEMD_DROP_IN_PATH)
      .split('\n')
      .includes('AmbientCapabilities=CAP_NET_BIND_SERVICE');
    const capabilities = bindsPrivilegedPort
      ? '--inh-caps=-all,+net_bind_service --ambient-caps=+net_bind_service'
      : '--inh-caps=-all';
    writeShim(
      wrapper,
      `exec setpriv --reuid=turnserver --regid=turnserver --init-groups ${capabilities} ${execStart.replace('/usr/bin/turnserver', this.turnserver)}`,
    );
    return startCoturn({
      confText: '',
      listeningIp: HOST.privateIp,
      listeningPort: TURN_LISTENING_PORT,
      turnserverPath: wrapper,
      commandPrefix: ['ip', 'netns', 'exec', this.namespaces.host],
    });
  }

  /** Writes a file next to the written configuration, with the same owner and mode. */
  writeLike(hostPath: string, like: string, text: string): void {
    const { mode, uid, gid } = statSync(this.path(like));
    writeFileSync(this.path(hostPath), text, { mode: mode & 0o777 });
    chownSync(this.path(hostPath), uid, gid);
  }

  /** Stops everything it started; safe after a partial prepare. */
  async dispose(): Promise<void> {
    this.peerProcess?.kill('SIGKILL');
    this.metadataProcess?.kill('SIGKILL');
    for (const namespace of Object.values(this.namespaces)) {
      // Whatever still runs inside (a coturn of a failed test) would keep the namespace's sockets alive.
      const pids = spawnSync('ip', ['netns', 'pids', namespace], { encoding: 'utf8' }).stdout ?? '';
      for (const pid of pids.split('\n').filter(Boolean)) spawnSync('kill', ['-9', pid]);
      // Deleting a namespace deletes its veth ends, and with them their peers in the root namespace.
      spawnSync('ip', ['netns', 'del', namespace], { stdio: 'ignore' });
    }
    await Promise.all([this.imds.stop(), this.secretsManager.stop()]);
    if (this.directory) rmSync(this.directory, { recursive: true, force: true });
  }
}

function writeShim(file: string, body: string): void {
  writeFileSync(file, `#!/bin/sh\n${body}\n`);
  chmodSync(file, 0o755);
}

/** A UDP echo peer (IPv4 and IPv6) in a namespace; resolves once both sockets are bound. */
function startEchoPeer(namespace: string): Promise<ChildProcess> {
  return startInNamespace(
    namespace,
    `const dgram = require('node:dgram');
    let bound = 0;
    for (const [type, address] of [['udp4', '0.0.0.0'], ['udp6', '::']]) {
      const socket = dgram.createSocket(type === 'udp6' ? { type, ipv6Only: true } : { type });
      socket.on('error', (error) => { console.error(error.message); process.exit(1); });
      socket.on('message', (message, from) => socket.send(Buffer.concat([Buffer.from('echo:'), message]), from.port, from.address));
      socket.bind(${PEER_PORT}, address, () => { if (++bound === 2) console.log('ready'); });
    }`,
    'echo peer',
  );
}

/** Runs a Node program inside a namespace (as root); resolves once it prints "ready". */
async function startInNamespace(namespace: string, program: string, what: string): Promise<ChildProcess> {
  const child = spawn('ip', ['netns', 'exec', namespace, process.execPath, '-e', program], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let output = '';
  await new Promise<void>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`${what} not ready: ${output}`)), PEER_READY_TIMEOUT_MS);
    const onData = (chunk: Buffer) => {
      output += chunk.toString();
      if (output.includes('ready')) {
        clearTimeout(timer);
        resolve();
      }
    };
    child.stdout?.on('data', onData);
    child.stderr?.on('data', onData);
    child.once('exit', () => {
      clearTimeout(timer);
      reject(new Error(`${what} exited: ${output}`));
    });
  });
  return child;
}

/** Opens a TCP connection from a client address to the TURN host; rejects with the socket error (ECONNREFUSED …). */
function openTcp(localAddress: string, port: number): Promise<TcpSocket> {
  return new Promise((resolve, reject) => {
    const socket = connectTcp({ host: HOST.privateIp, port, localAddress });
    const timer = setTimeout(() => {
      socket.destroy();
      reject(new Error(`TCP connect from ${localAddress} to port ${port}: no answer in ${CONNECT_TIMEOUT_MS} ms`));
    }, CONNECT_TIMEOUT_MS);
    socket.once('connect', () => {
      clearTimeout(timer);
      socket.removeAllListeners('error');
      socket.on('error', () => socket.destroy());
      resolve(socket);
    });
    socket.once('error', (error) => {
      clearTimeout(timer);
      reject(error);
    });
  });
}

/**
 * Sends \`count\` STUN Binding requests from one address to the TURN port as fast as Node can, one socket (one flow),
 * and counts the answers that come back until a last probe from the same socket is answered or times out.
 */
async function floodWithBindingRequests(
  localAddress: string,
  count: number,
): Promise<{ elapsedMs: number; probeMs: number; answers: number }> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, localAddress, resolve));
  const request = (transactionId = newTransactionId()) =>
    encodeStunMessage({ method: StunMethod.binding, messageClass: StunClass.request, transactionId, attributes: [] });
  const probeId = newTransactionId();
  let answers = 0;
  let probeAnswered: () => void = () => {};
  const probed = new Promise<void>((resolve) => {
    probeAnswered = resolve;
  });
  socket.on('message', (message: Buffer) => {
    // coturn answers in order, so once the probe is answered every admitted request before it has been too.
    if (message.subarray(8, 20).equals(probeId)) probeAnswered();
    else answers++;
  });
  const started = Date.now();
  await Promise.all(
    Array.from(
      { length: count },
      () =>
        new Promise<void>((resolve) => socket.send(request(), TURN_LISTENING_PORT, HOST.privateIp, () => resolve())),
    ),
  );
  const elapsedMs = Date.now() - started;
  const probeStarted = Date.now();
  // The flood may have emptied this address's allowance; the probe is resent until the limiter lets one through.
  const resend = setInterval(
    () => socket.send(request(probeId), TURN_LISTENING_PORT, HOST.privateIp),
    STUN_RETRANSMIT_INTERVAL_MS,
  );
  socket.send(request(probeId), TURN_LISTENING_PORT, HOST.privateIp);
  let timer: NodeJS.Timeout | undefined;
  try {
    await Promise.race([
      probed,
      new Promise((_, reject) => {
        timer = setTimeout(
          () => reject(new Error('the probe after the flood was never answered')),
          STUN_REQUEST_TIMEOUT_MS,
        );
      }),
    ]);
  } finally {
    clearTimeout(timer);
    clearInterval(resend);
    socket.close();
  }
  return { elapsedMs, probeMs: Date.now() - probeStarted, answers };
}

/** An HTTP server on loopback; subclasses answer requests. */
abstract class StandIn {
  private server: Server | undefined;
  url = '';

  async start(): Promise<void> {
    const server = createServer((request, response) => {
      const chunks: Buffer[] = [];
      request.on('data', (chunk: Buffer) => chunks.push(chunk));
      request.on('end', () => {
        const { status, body } = this.answer(request, Buffer.concat(chunks));
        response.writeHead(status, { 'content-type': 'text/plain' }).end(body);
      });
    });
    this.server = server;
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    this.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  }

  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  protected abstract answer(request: IncomingMessage, body: Buffer): { status: number; body: string };
}

/** IMDSv2 as EC2 serves it: PUT a token, then GETs that carry it; token-less reads are refused (401). */
class MetadataStandIn extends StandIn {
  private readonly tokens = new Set<string>();
  tokensIssued = 0;
  refusedReads = 0;
  readonly reads: string[] = [];

  protected answer(request: IncomingMessage): { status: number; body: string } {
    if (request.method === 'PUT' && request.url === '/latest/api/token') {
      if (!request.headers['x-aws-ec2-metadata-token-ttl-seconds']) return { status: 400, body: 'ttl missing' };
      const token = randomBytes(16).toString('hex');
      this.tokens.add(token);
      this.tokensIssued++;
      return { status: 200, body: token };
    }
    const token = request.headers['x-aws-ec2-metadata-token'];
    if (request.method !== 'GET' || typeof token !== 'string' || !this.tokens.has(token)) {
      this.refusedReads++;
      return { status: 401, body: '' };
    }
    const path = (request.url ?? '').replace(/^\/latest\//, '');
    this.reads.push(path);
    const answers: Record<string, string> = {
      'meta-data/local-ipv4': HOST.privateIp,
      'meta-data/public-ipv4': HOST.publicIp,
      'meta-data/iam/security-credentials/': ROLE.name,
      [`meta-data/iam/security-credentials/${ROLE.name}`]: JSON.stringify({
        Code: 'Success',
        Type: 'AWS-HMAC',
        AccessKeyId: ROLE.accessKeyId,
        SecretAccessKey: ROLE.secret,
        Token: ROLE_SESSION_TOKEN,
        Expiration: new Date(Date.now() + 3_600_000).toISOString(),
      }),
    };
    const body = answers[path];
    return body === undefined ? { status: 404, body: 'Not Found' } : { status: 200, body };
  }
}

/** Secrets Manager's GetSecretValue (JSON 1.1 protocol), checking the SigV4 signature against the role's keys. */
class SecretsManagerStandIn extends StandIn {
  readonly values = new Map<string, string>();
  readonly requests: {
    secretId: string;
    accessKeyId: string;
    sessionToken: string | undefined;
    signatureValid: boolean;
  }[] = [];

  protected answer(request: IncomingMessage, body: Buffer): { status: number; body: string } {
    if (request.headers['x-amz-target'] !== 'secretsmanager.GetSecretValue') return { status: 400, body: '' };
    const authorization =
      /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/secretsmanager\/aws4_request, ?SignedHeaders=([^,]+), ?Signature=([0-9a-f]{64})$/.exec(
        String(request.headers.authorization ?? ''),
      );
    const secretId = String((JSON.parse(body.toString('utf8')) as { SecretId?: unknown }).SecretId);
    const sessionToken = request.headers['x-amz-security-token'];
    const [, accessKeyId = '', date = '', region = '', signedHeaders = '', signature = ''] = authorization ?? [];
    const signatureValid =
      authorization !== null &&
      region === REGION &&
      signedHeaders.split(';').includes('x-amz-security-token') &&
      signature === sigV4Signature(request, body, { date, region, signedHeaders, secretKey: ROLE.secret });
    this.requests.push({
      secretId,
      accessKeyId,
      sessionToken: typeof sessionToken === 'string' ? sessionToken : undefined,
      signatureValid,
    });
    const value = this.values.get(secretId);
    if (!signatureValid || accessKeyId !== ROLE.accessKeyId) return { status: 403, body: 'AccessDenied' };
    if (value === undefined) return { status: 400, body: 'ResourceNotFoundException' };
    return { status: 200, body: JSON.stringify({ ARN: secretId, Name: 'parley-turn', SecretString: value }) };
  }
}

/** The AWS Signature Version 4 of a request, recomputed from what arrived (RFC-style canonical request). */
function sigV4Signature(
  request: IncomingMessage,
  body: Buffer,
  scope: { date: string; region: string; signedHeaders: string; secretKey: string },
): string {
  const sha256 = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
  const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data).digest();
  const [path = '/', query = ''] = (request.url ?? '/').split('?');
  const headerNames = scope.signedHeaders.split(';');
  const canonicalHeaders = headerNames
    .map(
      (name) =>
        `${name}:${String(request.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const canonicalRequest = [request.method, path, query, canonicalHeaders, scope.signedHeaders, sha256(body)].join(
    '\n',
  );
  const amzDate = String(request.headers['x-amz-date'] ?? '');
  const credentialScope = `${scope.date}/${scope.region}/secretsmanager/aws4_request`;
  const stringToSign = ['AWS4-HMAC-SHA256', amzDate, credentialScope, sha256(canonicalRequest)].join('\n');
  let key: Buffer = hmac(`AWS4${scope.secretKey}`, scope.date);
  for (const part of [scope.region, 'secretsmanager', 'aws4_request']) key = hmac(key, part);
  return createHmac('sha256', key).update(stringToSign).digest('hex');
}
