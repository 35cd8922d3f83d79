import { type ChildProcess, spawn } from 'node:child_process';
import { chmod, mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, connect as netConnect, type Server, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { renderTcpFallbackRedirect, TURN_TCP_FALLBACK_PORT } from '@parley/turn';
import { type BrowserKind, CHROMIUM_EXECUTABLE, FIREFOX_EXECUTABLE, launchBrowser, type TestBrowser } from './browsers';
import { waitUntil } from './wait';

/*
 * A network lab made of Linux network namespaces, built and torn down by the tests themselves (needs root, iproute2
 * and nftables). Documentation and benchmark address ranges only:
 *
 *   public segment  203.0.113.0/24 (namespace "pub", a bridge): the local system (site, signaling stand-in, coturn)
 *                   on 203.0.113.10; each router's WAN side on 203.0.113.(20+n)
 *   home n          198.18.n.0/24: the browser's namespace (198.18.n.2) behind its router (198.18.n.1), which NATs
 *                   to its WAN address and lets in only replies (a home router's stateful firewall)
 *
 * The kernel here has no netem, so impairments are what exists: loss by nftables `numgen`, a bandwidth cap by `tbf`.
 */

/** Every lab namespace's name starts with this, then the pid of the process that made it: stale ones can be found. */
export const NAMESPACE_PREFIX = 'parley-lab-';

/** The public segment's subnet (RFC 5737 TEST-NET-3: never routed on the internet, allowed by coturn's deny list). */
const PUBLIC_PREFIX = '203.0.113';

/** Where the local system listens in the public segment. */
export const LAB_SERVICE_ADDRESS = `${PUBLIC_PREFIX}.10`;

/** First WAN address of routers: router n gets 203.0.113.(20+n) until it is re-addressed. */
const ROUTER_WAN_BASE = 20;

/** Re-addressed routers take addresses from here up (another "ISP lease" on the same segment). */
const ROUTER_NEW_WAN_BASE = 100;

/** Re-addressing room per router (router n takes 100 + 10n + 1, + 2, …). */
const ADDRESSES_PER_ROUTER = 10;

/** Home LANs (RFC 2544 benchmarking range: private-looking, and denied as TURN peers like real private ranges). */
const HOME_PREFIX = '198.18';

/** How long the local system may take to start in the public namespace (tsx, dynalite, coturn). */
const SYSTEM_START_TIMEOUT_MS = 60_000;

/** tbf's queue: how long a packet may wait under a cap before it is dropped (a home router's modest buffer). */
const CAP_QUEUE_LATENCY_MS = 200;

/** tbf's bucket: a few full-size packets, so bursts barely exceed the cap. */
const CAP_BURST_BYTES = 8 * 1500;

/** The lab's in-namespace helper script (plain Node: echo/probe servers and the Firefox control tunnel). */
export const LAB_TOOLS = fileURLToPath(new URL('./network-lab-tools.mjs', import.meta.url));

/** The lab's delay link (see delay-link.py). */
const DELAY_LINK = fileURLToPath(new URL('./delay-link.py', import.meta.url));

/** The repository root (for running `pnpm dev`'s CLI inside the public namespace). */
const REPO_ROOT = fileURLToPath(new URL('../../..', import.meta.url));

/** How a home router maps its LAN onto its WAN address. */
export type NatKind =
  /** Linux `masquerade`: one public port per LAN socket, whoever it talks to (endpoint-independent mapping). */
  | 'endpoint-independent'
  /** `masquerade random,fully-random`: a new random public port per destination (symmetric NAT). */
  | 'symmetric';

/** What the path between a home and the public segment does to packets. */
export interface LinkImpairment {
  /** Share of packets dropped, each way (0–100). */
  lossPercent?: number;
  /** Bandwidth cap each way, kbit/s. */
  rateKbit?: number;
}

/** Runs a command; throws with its stderr when it fails. */
export function run(command: string, args: readonly string[], input?: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const child = spawn(command, args, { stdio: [input === undefined ? 'ignore' : 'pipe', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk;
    });
    child.stderr?.on('data', (chunk: Buffer) => {
      stderr += chunk;
    });
    child.once('error', reject);
    child.once('close', (code) => {
      if (code === 0) resolve(stdout);
      else reject(new Error(`\`${command} ${args.join(' ')}\` failed (exit ${code}): ${stderr.trim()}`));
    });
    child.stdin?.end(input);
  });
}

/** Runs a command inside a namespace. */
export function runIn(namespace: string, command: string, args: readonly string[], input?: string): Promise<string> {
  return run('ip', ['netns', 'exec', namespace, command, ...args], input);
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

async function listNamespaces(): Promise<string[]> {
  const output = await run('ip', ['netns', 'list']);
  return output
    .split('\n')
    .map((line) => line.split(' ')[0] ?? '')
    .filter((name) => name.startsWith(NAMESPACE_PREFIX));
}

/** Kills whatever still runs in a namespace, then deletes it (a namespace with processes outlives its name). */
async function deleteNamespace(namespace: string): Promise<void> {
  const pids = await run('ip', ['netns', 'pids', namespace]).catch(() => '');
  for (const pid of pids.split('\n').filter(Boolean)) {
    try {
      process.kill(Number(pid), 'SIGKILL');
    } catch {
      // Already gone.
    }
  }
  await run('ip', ['netns', 'delete', namespace]).catch(() => undefined);
}

/** Removes the namespaces of labs whose process is gone (a killed test run leaves them behind). */
export async function sweepStaleLabs(): Promise<string[]> {
  const stale = (await listNamespaces()).filter((name) => {
    const pid = Number(name.slice(NAMESPACE_PREFIX.length).split('-')[0]);
    return Number.isInteger(pid) && !processAlive(pid);
  });
  for (const namespace of stale) await deleteNamespace(namespace);
  return stale;
}

/** A router's NAT table: the LAN onto the WAN address. */
function natRuleset(nat: NatKind): string {
  const masquerade = nat === 'symmetric' ? 'masquerade random,fully-random' : 'masquerade';
  return `table ip parley_nat {
  chain postrouting {
    type nat hook postrouting priority srcnat; policy accept;
    oifname "wan" ${masquerade}
  }
}
`;
}

/**
 * A home router's stateful firewall: out from the LAN, and only replies back in — to the LAN and to the router
 * itself. (Without the input chain an unsolicited packet to the WAN address is accepted locally, which leaves a
 * conntrack entry that makes the NAT pick another port for the LAN's own packet to that peer: hole punching fails.)
 */
const FIREWALL_RULESET = `table inet parley_firewall {
  chain input {
    type filter hook input priority filter; policy drop;
    ct state established,related accept
    iifname { "lo", "lan" } accept
  }
  chain forward {
    type filter hook forward priority filter; policy drop;
    ct state established,related accept
    iifname "lan" oifname "wan" accept
  }
}
`;

/** A browser's home: its own namespace behind a router namespace on the public segment. */
export class Home {
  /** The router's current public (WAN) address: what the other side sees as this home. */
  wanAddress: string;
  private nat: NatKind;
  /** How many times the public address changed. */
  private moves = 0;

  constructor(
    readonly label: string,
    readonly index: number,
    readonly namespace: string,
    readonly routerNamespace: string,
    nat: NatKind,
    /** The public segment's namespace (routes to a delayed home's WAN address live there). */
    private readonly publicNamespace: string,
    /** One-way delay of the WAN link in ms; 0 is a plain veth on the public bridge. */
    readonly delayMs: number,
  ) {
    this.wanAddress = `${PUBLIC_PREFIX}.${ROUTER_WAN_BASE + index}`;
    this.nat = nat;
  }

  /** The browser's own (private) address. */
  get lanAddress(): string {
    return `${HOME_PREFIX}.${this.index}.2`;
  }

  get natKind(): NatKind {
    return this.nat;
  }

  /** Switches the router's NAT behaviour (existing mappings stay until they expire or the address changes). */
  async setNat(nat: NatKind): Promise<void> {
    await runIn(this.routerNamespace, 'nft', ['delete', 'table', 'ip', 'parley_nat']).catch(() => undefined);
    await runIn(this.routerNamespace, 'nft', ['-f', '-'], natRuleset(nat));
    this.nat = nat;
  }

  /**
   * The home's public address changes, as when a phone leaves Wi-Fi for mobile data or a router gets a new lease:
   * the router's WAN address is replaced; the kernel drops every NAT mapping of the old one.
   */
  async changePublicAddress(): Promise<string> {
    this.moves++;
    const next = `${PUBLIC_PREFIX}.${ROUTER_NEW_WAN_BASE + this.index * ADDRESSES_PER_ROUTER + this.moves}`;
    const prefix = this.delayMs > 0 ? 32 : 24;
    // Old address first: deleting a subnet's primary address would also delete a new (secondary) one beside it.
    await run('ip', ['-n', this.routerNamespace, 'address', 'delete', `${this.wanAddress}/${prefix}`, 'dev', 'wan']);
    await run('ip', ['-n', this.routerNamespace, 'address', 'add', `${next}/${prefix}`, 'dev', 'wan']);
    if (this.delayMs > 0) {
      const pub = ['-n', this.publicNamespace, 'route'];
      await run('ip', [...pub, 'delete', `${this.wanAddress}/32`]);
      await run('ip', [...pub, 'add', `${next}/32`, 'dev', `r${this.index}`]);
      await run('ip', ['-n', this.routerNamespace, 'route', 'replace', `${PUBLIC_PREFIX}.0/24`, 'dev', 'wan']);
    }
    this.wanAddress = next;
    return next;
  }

  /**
   * From now on the router lets out only TCP to port 443 (anywhere) and TCP to the given ports of the service address:
   * no UDP at all (DNS included) and no other TCP port, as on a network that lets only web traffic out. The service's
   * site and signaling run on other ports in the lab; on AWS they are themselves on 443 (CloudFront and API Gateway),
   * so this is such a network as a deployed Parley meets it. Replies are let in as before.
   */
  async allowOnlyWebOut(service: { address: string; tcpPorts: number[] }): Promise<void> {
    await runIn(
      this.routerNamespace,
      'nft',
      ['-f', '-'],
      `table inet parley_egress {
  chain forward {
    type filter hook forward priority filter - 5; policy accept;
    iifname "lan" oifname "wan" tcp dport ${TURN_TCP_FALLBACK_PORT} accept
    iifname "lan" oifname "wan" ip daddr ${service.address} tcp dport { ${service.tcpPorts.join(', ')} } accept
    iifname "lan" oifname "wan" counter drop
  }
}
`,
    );
  }

  /** Impairs the router's links both ways (replacing any earlier impairment); `{}` removes it. */
  async impair(impairment: LinkImpairment): Promise<void> {
    await runIn(this.routerNamespace, 'nft', ['delete', 'table', 'inet', 'parley_impair']).catch(() => undefined);
    if (impairment.lossPercent) {
      await runIn(
        this.routerNamespace,
        'nft',
        ['-f', '-'],
        `table inet parley_impair {
  chain forward {
    type filter hook forward priority filter - 10; policy accept;
    numgen random mod 100 < ${impairment.lossPercent} drop
  }
}
`,
      );
    }
    for (const device of ['wan', 'lan']) {
      await run('tc', ['-n', this.routerNamespace, 'qdisc', 'delete', 'dev', device, 'root']).catch(() => undefined);
      if (impairment.rateKbit) {
        await run('tc', [
          '-n',
          this.routerNamespace,
          'qdisc',
          'add',
          'dev',
          device,
          'root',
          'tbf',
          'rate',
          `${impairment.rateKbit}kbit`,
          'burst',
          String(CAP_BURST_BYTES),
          'latency',
          `${CAP_QUEUE_LATENCY_MS}ms`,
        ]);
      }
    }
  }
}

/** The local system (`pnpm dev --host`) running in the public segment. */
export interface LabSystem {
  siteUrl: string;
  /** The signaling stand-in's WebSocket URL. */
  signalingUrl: string;
  /** The owner link `pnpm dev` printed (the site with the owner key in its fragment): where calls are started. */
  ownerLink: string;
  /** coturn's port on the service address (it answers STUN there too). */
  turnPort: number;
  /** The TURN URLs `pnpm dev` hands out. */
  turnUrls: string[];
  /** Everything it printed (stdout and stderr), for failure messages. */
  output(): string;
  stop(): Promise<void>;
}

/** A network lab: the public segment and the homes added to it. Remove it in afterAll, whatever happened. */
export class NetworkLab {
  private readonly homes: Home[] = [];
  private readonly cleanups: (() => Promise<void>)[] = [];

  private constructor(
    /** Unique per lab: `parley-lab-<pid>-<n>`; namespaces are `<id>-pub`, `<id>-r1`, `<id>-h1`, … */
    readonly id: string,
    readonly publicNamespace: string,
    private readonly directory: string,
  ) {}

  private static count = 0;

  /** Builds the public segment (after sweeping labs left by killed runs). */
  static async create(): Promise<NetworkLab> {
    await sweepStaleLabs();
    const id = `${NAMESPACE_PREFIX}${process.pid}-${++NetworkLab.count}`;
    const directory = await mkdtemp(join(tmpdir(), 'parley-lab-'));
    const lab = new NetworkLab(id, `${id}-pub`, directory);
    try {
      await run('ip', ['netns', 'add', lab.publicNamespace]);
      const pub = ['-n', lab.publicNamespace];
      await run('ip', [...pub, 'link', 'set', 'lo', 'up']);
      await run('ip', [...pub, 'link', 'add', 'br0', 'type', 'bridge']);
      await run('ip', [...pub, 'address', 'add', `${LAB_SERVICE_ADDRESS}/24`, 'dev', 'br0']);
      await run('ip', [...pub, 'link', 'set', 'br0', 'up']);
    } catch (error) {
      await lab.remove();
      throw error;
    }
    return lab;
  }

  /**
   * Adds a home behind a router of the given NAT kind; its browser gets the address 198.18.n.2. With `delayMs`, the
   * router's WAN link delays every packet that long each way (a user-space TUN link: this kernel has no netem).
   */
  async addHome(label: string, nat: NatKind, options: { delayMs?: number } = {}): Promise<Home> {
    const index = this.homes.length + 1;
    const delayMs = options.delayMs ?? 0;
    const home = new Home(
      label,
      index,
      `${this.id}-h${index}`,
      `${this.id}-r${index}`,
      nat,
      this.publicNamespace,
      delayMs,
    );
    this.homes.push(home);
    const router = home.routerNamespace;
    await run('ip', ['netns', 'add', router]);
    await run('ip', ['netns', 'add', home.namespace]);
    if (delayMs > 0) await this.addDelayedWan(home);
    else {
      // Router WAN <-> the public bridge.
      await run('ip', [
        '-n',
        router,
        'link',
        'add',
        'wan',
        'type',
        'veth',
        'peer',
        'name',
        `r${index}`,
        'netns',
        this.publicNamespace,
      ]);
      await run('ip', ['-n', this.publicNamespace, 'link', 'set', `r${index}`, 'master', 'br0', 'up']);
      await run('ip', ['-n', router, 'address', 'add', `${home.wanAddress}/24`, 'dev', 'wan']);
    }
    // Router LAN <-> the home.
    await run('ip', [
      '-n',
      router,
      'link',
      'add',
      'lan',
      'type',
      'veth',
      'peer',
      'name',
      'eth0',
      'netns',
      home.namespace,
    ]);
    await run('ip', ['-n', router, 'address', 'add', `${HOME_PREFIX}.${index}.1/24`, 'dev', 'lan']);
    for (const device of ['lo', 'wan', 'lan']) await run('ip', ['-n', router, 'link', 'set', device, 'up']);
    await runIn(router, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    await runIn(router, 'nft', ['-f', '-'], natRuleset(nat) + FIREWALL_RULESET);
    const inHome = ['-n', home.namespace];
    await run('ip', [...inHome, 'address', 'add', `${home.lanAddress}/24`, 'dev', 'eth0']);
    for (const device of ['lo', 'eth0']) await run('ip', [...inHome, 'link', 'set', device, 'up']);
    await run('ip', [...inHome, 'route', 'add', 'default', 'via', `${HOME_PREFIX}.${index}.1`]);
    return home;
  }

  /** A routed point-to-point WAN link through the delay process, instead of a veth on the public bridge. */
  private async addDelayedWan(home: Home): Promise<void> {
    const child = spawn(
      'python3',
      [DELAY_LINK, home.routerNamespace, 'wan', this.publicNamespace, `r${home.index}`, String(home.delayMs)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    this.cleanups.push(() => stopChild(child));
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    await waitUntil(
      () => {
        if (child.exitCode !== null) throw new Error(`the delay link exited (${child.exitCode})`);
        return output.includes('ready');
      },
      { description: `the delayed WAN link of ${home.label}` },
    );
    const pub = ['-n', this.publicNamespace];
    await runIn(this.publicNamespace, 'sysctl', ['-qw', 'net.ipv4.ip_forward=1']);
    await run('ip', [...pub, 'link', 'set', `r${home.index}`, 'up']);
    await run('ip', [...pub, 'route', 'add', `${home.wanAddress}/32`, 'dev', `r${home.index}`]);
    await run('ip', ['-n', home.routerNamespace, 'address', 'add', `${home.wanAddress}/32`, 'dev', 'wan']);
    await run('ip', ['-n', home.routerNamespace, 'link', 'set', 'wan', 'up']);
    await run('ip', ['-n', home.routerNamespace, 'route', 'add', `${PUBLIC_PREFIX}.0/24`, 'dev', 'wan']);
  }

  /**
   * Starts the local system in the public segment the way a person runs it on their LAN: `pnpm dev --host
   * 203.0.113.10` (site, signaling stand-in and coturn on that address; coturn's production profile). With
   * `turnTcpFallback`, also as a default deploy serves TURN: over TCP on 443 too, by the deploy's own nftables
   * redirect to coturn's port (applied here, as root, in the public namespace) and the deploy's extra TURN URL.
   */
  async startSystem(options: { turnTcpFallback?: boolean } = {}): Promise<LabSystem> {
    const child = spawn(
      'ip',
      [
        'netns',
        'exec',
        this.publicNamespace,
        join(REPO_ROOT, 'node_modules', '.bin', 'tsx'),
        join(REPO_ROOT, 'packages', 'local', 'src', 'cli.ts'),
        '--host',
        LAB_SERVICE_ADDRESS,
        '--port',
        '0',
        ...(options.turnTcpFallback ? ['--turn-tcp-fallback-port', String(TURN_TCP_FALLBACK_PORT)] : []),
      ],
      {
        stdio: ['ignore', 'pipe', 'pipe'],
        env: { ...process.env, AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true' },
      },
    );
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    child.stderr.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    const stop = () => stopChild(child);
    this.cleanups.push(stop);
    // `pnpm dev` prints the owner link of its private system (see packages/local/src/cli.ts).
    const ownerLink = await waitUntil(
      () => {
        if (child.exitCode !== null) throw new Error(`the local system exited (${child.exitCode}): ${output}`);
        return /Your owner link \(keep it to yourself\): (http:\/\/\S+)/.exec(output)?.[1];
      },
      { description: 'the local system in the public segment', timeoutMs: SYSTEM_START_TIMEOUT_MS },
    );
    const siteUrl = new URL(ownerLink).origin;
    // A relay test without TURN would prove nothing: coturn must be up on the public address.
    const turnPort = Number(new RegExp(`turn:${LAB_SERVICE_ADDRESS.replaceAll('.', '\\.')}:(\\d+)`).exec(output)?.[1]);
    if (!turnPort) {
      await stop();
      throw new Error(`the local system runs without coturn: ${output}`);
    }
    const service = LAB_SERVICE_ADDRESS.replaceAll('.', '\\.');
    const signalingUrl = new RegExp(`ws://${service}:\\d+/\\S*`).exec(output)?.[0];
    if (!signalingUrl) {
      await stop();
      throw new Error(`the local system printed no signaling URL: ${output}`);
    }
    const turnUrls = output.match(new RegExp(`turn:${service}:\\d+\\?transport=\\w+`, 'g')) ?? [];
    if (options.turnTcpFallback) {
      await runIn(
        this.publicNamespace,
        'nft',
        ['-f', '-'],
        renderTcpFallbackRedirect({ fallbackPort: TURN_TCP_FALLBACK_PORT, listeningPort: turnPort }),
      );
    }
    return { siteUrl, signalingUrl, ownerLink, turnPort, turnUrls, output: () => output, stop };
  }

  /** Launches a browser inside a home (through `ip netns exec`); the given sites' origins are treated as secure. */
  async launchBrowser(kind: BrowserKind, home: Home, siteUrls: string[]): Promise<TestBrowser> {
    const secureOrigins = siteUrls.map((url) => new URL(url).origin);
    if (kind === 'chromium') {
      const wrapper = await this.writeWrapper(`chromium-${home.index}`, [
        'ip',
        'netns',
        'exec',
        home.namespace,
        CHROMIUM_EXECUTABLE,
      ]);
      return launchBrowser('chromium', { executablePath: wrapper, secureOrigins, loopbackIce: false });
    }
    // Firefox is driven over a WebSocket on its loopback, which lives in the home namespace: a unix socket (not
    // namespaced) carries it across, with a TCP listener here on the same port number.
    const bridge = await startUnixBridge(join(this.directory, `firefox-${home.index}.sock`));
    this.cleanups.push(bridge.close);
    const wrapper = await this.writeWrapper(`firefox-${home.index}`, [
      'ip',
      'netns',
      'exec',
      home.namespace,
      process.execPath,
      LAB_TOOLS,
      'tunnel',
      bridge.socketPath,
      String(bridge.port),
      FIREFOX_EXECUTABLE,
    ]);
    return launchBrowser('firefox', {
      executablePath: wrapper,
      secureOrigins,
      loopbackIce: false,
      debuggingPort: bridge.port,
    });
  }

  private async writeWrapper(name: string, command: string[]): Promise<string> {
    const path = join(this.directory, name);
    const quoted = command.map((word) => `'${word.replaceAll("'", "'\\''")}'`).join(' ');
    await writeFile(path, `#!/bin/sh\nexec ${quoted} "$@"\n`);
    await chmod(path, 0o755);
    return path;
  }

  /** Starts a UDP echo server (see network-lab-tools) inside a namespace; it stops with the lab. */
  async startUdpEcho(namespace: string, address: string, port: number): Promise<void> {
    const child = spawn(
      'ip',
      ['netns', 'exec', namespace, process.execPath, LAB_TOOLS, 'echo', address, String(port)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    this.cleanups.push(() => stopChild(child));
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    await waitUntil(() => output.includes('ready'), { description: `UDP echo on ${address}:${port} in ${namespace}` });
  }

  /** Serves an empty page on the public segment (a secure origin for pages that bring their own script). */
  async startBlankSite(port: number): Promise<string> {
    const child = spawn(
      'ip',
      ['netns', 'exec', this.publicNamespace, process.execPath, LAB_TOOLS, 'blank', LAB_SERVICE_ADDRESS, String(port)],
      {
        stdio: ['ignore', 'pipe', 'inherit'],
      },
    );
    this.cleanups.push(() => stopChild(child));
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      output += chunk;
    });
    await waitUntil(() => output.includes('ready'), { description: 'the blank page on the public segment' });
    return `http://${LAB_SERVICE_ADDRESS}:${port}/`;
  }

  /** Every namespace of this lab that exists right now. */
  async namespaces(): Promise<string[]> {
    return (await listNamespaces()).filter((name) => name.startsWith(`${this.id}-`));
  }

  /** Removes everything: processes, namespaces (and with them every veth and rule), temp files. Safe to call twice. */
  async remove(): Promise<void> {
    for (const cleanup of this.cleanups.splice(0).reverse()) await cleanup().catch(() => undefined);
    for (const namespace of await this.namespaces()) await deleteNamespace(namespace);
    await rm(this.directory, { recursive: true, force: true });
  }
}

/** How long a stopped child may take to exit after SIGTERM before it is killed. */
const CHILD_STOP_TIMEOUT_MS = 5_000;

async function stopChild(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), CHILD_STOP_TIMEOUT_MS);
  await exited;
  clearTimeout(timer);
}

/** A TCP listener on 127.0.0.1 (a free port) whose connections are carried to a unix socket. */
async function startUnixBridge(
  socketPath: string,
): Promise<{ port: number; socketPath: string; close: () => Promise<void> }> {
  const open = new Set<Socket>();
  const server: Server = createServer((client) => {
    open.add(client);
    client.on('close', () => open.delete(client));
    const target = netConnect(socketPath);
    client.pipe(target).pipe(client);
    client.on('error', () => target.destroy());
    target.on('error', () => client.destroy());
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  if (!address || typeof address === 'string') throw new Error('the unix bridge has no port');
  return {
    port: address.port,
    socketPath,
    close: () =>
      new Promise<void>((resolve) => {
        for (const socket of open) socket.destroy();
        server.close(() => resolve());
      }),
  };
}

/** What a UDP probe from one namespace got back from echo servers. */
export interface ProbeResult {
  sent: number;
  replies: number;
  /** The source addresses (`addr:port`) the echo servers saw: the NAT's mappings. */
  seenAs: string[];
  errors: number;
  /** Round trip of the first datagram answered, ms (null when none was). */
  firstReplyMs: number | null;
}

/** Sends `count` datagrams from `localPort` inside `namespace` to each target (`addr:port`), see network-lab-tools. */
export async function udpProbe(
  namespace: string,
  localPort: number,
  count: number,
  targets: string[],
): Promise<ProbeResult> {
  const output = await runIn(namespace, process.execPath, [
    LAB_TOOLS,
    'probe',
    String(localPort),
    String(count),
    ...targets,
  ]);
  return JSON.parse(output) as ProbeResult;
}
