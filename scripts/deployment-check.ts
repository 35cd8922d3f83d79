/**
 * The checks behind `pnpm check-deployment`: what a person's browser needs from a deployment, tried from this machine
 * the way the browser does it — the site and its security headers, `/config.json`, the signaling WebSocket as a
 * member, TURN credentials, and a real TURN allocation over every transport the deployment offers.
 */
import {
  createRoomId,
  importOwnerKey,
  OWNER_TICKET_VALIDITY_SECONDS,
  PROTOCOL_VERSION,
  parseServerMessage,
  SITE_CONFIG_PATH,
  SiteConfig,
  securityHeaders,
  signalingUrlWithTicket,
  signTicket,
  webSocketOrigin,
} from '@parley/protocol';
import { TurnClient, TurnRequestError } from '@parley/turn';
import * as v from 'valibot';
import WebSocket from 'ws';
import { OWNER_KEY_OUTPUT } from '../lib/parley-stack';
import { type AwsClientConfig, ownerKeySecretArn, readOwnerKey, stackOutputs } from './deployed-stack';

/** What to check: the site, and (when known from the stack outputs) the signaling URL it should name. */
export interface DeploymentTarget {
  siteUrl: string;
  /** The stack's SignalingUrl output; config.json must name the same. */
  signalingUrl?: string;
  /** The owner key of a private deployment: the check signs itself a ticket with it to connect, as the owner does. */
  ownerKey?: string;
}

/**
 * The site and signaling URLs from the stack's outputs, and the owner key of a private deployment (CloudFormation
 * and Secrets Manager, with the caller's AWS credentials and region unless `client` says otherwise).
 */
export async function targetFromStack(stackName: string, client: AwsClientConfig = {}): Promise<DeploymentTarget> {
  const outputs = await stackOutputs(stackName, client);
  const siteUrl = outputs.get('SiteUrl');
  const signalingUrl = outputs.get('SignalingUrl');
  if (!siteUrl || !signalingUrl) {
    throw new Error(`the stack "${stackName}" has no SiteUrl/SignalingUrl outputs: is its deployment complete?`);
  }
  const target: DeploymentTarget = { siteUrl, signalingUrl };
  if (outputs.has(OWNER_KEY_OUTPUT))
    target.ownerKey = await readOwnerKey(ownerKeySecretArn(stackName, outputs), client);
  return target;
}

/** One step's outcome, in words for the person who deployed. */
export interface CheckResult {
  step: string;
  ok: boolean;
  /** What was found. */
  detail: string;
  /** What to do about a failure. */
  fix?: string;
}

/** Longest wait for an HTTP answer, the WebSocket handshake or `joined`: CloudFront and Lambda cold starts fit. */
export const NETWORK_STEP_TIMEOUT_MS = 10_000;

/** Longest wait for a TURN connection and allocation (the client itself retransmits for 3 s per request). */
export const TURN_STEP_TIMEOUT_MS = 8_000;

/** The name the self-check joins its throwaway room with, so it is recognisable in logs. */
const CHECK_MEMBER_NAME = 'deployment check';

/**
 * The URL a member opens the signaling socket with: the signaling URL with the protocol version, and on a private
 * deployment the room and a ticket for it.
 */
export function memberConnectUrl(signalingUrl: string, room: string, ticket: string | undefined): string {
  const url = new URL(signalingUrlWithTicket(signalingUrl, room, ticket));
  url.searchParams.set('v', String(PROTOCOL_VERSION));
  return url.toString();
}

/** An owner ticket for `room`, signed the way the owner's browser signs one. */
async function ownerTicket(ownerKey: string, room: string): Promise<string> {
  const owner = await importOwnerKey(ownerKey);
  return signTicket(owner, { room, role: 'owner', exp: Math.floor(Date.now() / 1000) + OWNER_TICKET_VALIDITY_SECONDS });
}

/** Runs every check in order, reporting each as it finishes; later steps that need an earlier one's answer are skipped. */
export async function checkDeployment(
  target: DeploymentTarget,
  report: (result: CheckResult) => void = () => {},
): Promise<CheckResult[]> {
  const results: CheckResult[] = [];
  const record = (result: CheckResult) => {
    results.push(result);
    report(result);
    return result;
  };

  const config = await checkSite(target, record);
  if (!config) return results;
  if (config.access === 'private' && !(await checkStrangersRefused(config.signalingUrl, record))) return results;
  const iceServers = await checkSignaling(config, target.ownerKey, record);
  if (!iceServers) return results;
  const turnUrls = checkTurnCredentials(iceServers, record);
  for (const { url, username, credential } of turnUrls) record(await checkTurnAllocation(url, username, credential));
  return results;
}

async function fetchWithTimeout(url: string): Promise<Response> {
  return fetch(url, { redirect: 'manual', signal: AbortSignal.timeout(NETWORK_STEP_TIMEOUT_MS) });
}

/** Which expected security headers a response lacks or carries with another value. */
function headerProblems(response: Response, expected: Record<string, string>): string[] {
  return Object.entries(expected)
    .filter(([name, value]) => response.headers.get(name) !== value)
    .map(([name]) => (response.headers.has(name) ? `${name} differs` : `${name} missing`));
}

/** The site page, its first script, `/config.json` and the security headers on all of them. */
async function checkSite(
  target: DeploymentTarget,
  record: (result: CheckResult) => CheckResult,
): Promise<SiteConfig | undefined> {
  const siteUrl = new URL('/', target.siteUrl).toString();
  const configUrl = new URL(SITE_CONFIG_PATH, siteUrl).toString();
  let page: Response;
  let configResponse: Response;
  let config: SiteConfig;
  try {
    page = await fetchWithTimeout(siteUrl);
    if (page.status !== 200) throw new Error(`${siteUrl} answered HTTP ${page.status}`);
    configResponse = await fetchWithTimeout(configUrl);
    if (configResponse.status !== 200) throw new Error(`${configUrl} answered HTTP ${configResponse.status}`);
    const parsed = v.safeParse(SiteConfig, await configResponse.json());
    if (!parsed.success) throw new Error(`${configUrl} is not a valid site configuration`);
    config = parsed.output;
  } catch (error) {
    record({
      step: 'Site',
      ok: false,
      detail: `cannot load the site: ${explain(error)}`,
      fix: 'Check the SiteUrl output of `cdk deploy`. Right after a first deploy CloudFront can take a few minutes to answer everywhere; a 403 on a new distribution usually means the upload has not finished (run `cdk deploy` again if it failed).',
    });
    return undefined;
  }
  const html = await page.text();
  const script = /<script[^>]+src="([^"]+)"/.exec(html)?.[1];
  const scriptStatus = script ? (await fetchWithTimeout(new URL(script, siteUrl).toString())).status : undefined;
  if (!script || scriptStatus !== 200) {
    return failed(record, {
      step: 'Site',
      detail: script
        ? `the page loads but its script ${script} answers HTTP ${scriptStatus}`
        : 'the page has no script: it is not the Parley client',
      fix: 'Deploy again with `cdk deploy`: it builds the client and uploads the page together with its files.',
    });
  }
  record({ step: 'Site', ok: true, detail: `${siteUrl} serves the client and ${SITE_CONFIG_PATH}` });

  if (target.signalingUrl && target.signalingUrl !== config.signalingUrl) {
    return failed(record, {
      step: 'Site configuration',
      detail: `${SITE_CONFIG_PATH} names ${config.signalingUrl}, the stack's signaling is ${target.signalingUrl}`,
      fix: 'An old configuration is cached or was left behind: run `cdk deploy` again (it rewrites config.json and clears CloudFront’s cache of it).',
    });
  }

  const expected = securityHeaders({ connectSrc: [webSocketOrigin(config.signalingUrl)] });
  const problems = [
    ...headerProblems(page, expected).map((p) => `page: ${p}`),
    ...headerProblems(configResponse, expected).map((p) => `${SITE_CONFIG_PATH}: ${p}`),
  ];
  if (problems.length > 0) {
    return failed(record, {
      step: 'Security headers',
      detail: problems.join('; '),
      fix: 'The site must send the stack’s response headers policy (CSP, HSTS, nosniff, no framing, no referrer). If something in front of CloudFront rewrites headers, let it pass them; otherwise run `cdk deploy` again.',
    });
  }
  record({
    step: 'Security headers',
    ok: true,
    detail: `CSP (allows only the site and ${webSocketOrigin(config.signalingUrl)}), HSTS, nosniff, no framing, no referrer`,
  });
  return config;
}

interface IceServer {
  urls: string | string[];
  username?: string;
  credential?: string;
}

/** The HTTP status a WebSocket handshake gets (101 when it opens), or the error that kept it from answering. */
function handshakeStatus(url: string): Promise<number> {
  return new Promise((resolve, reject) => {
    const socket = new WebSocket(url);
    const timer = setTimeout(() => {
      socket.terminate();
      reject(new Error(`no answer within ${NETWORK_STEP_TIMEOUT_MS / 1000} s`));
    }, NETWORK_STEP_TIMEOUT_MS);
    const settle = (outcome: () => void) => {
      clearTimeout(timer);
      socket.removeAllListeners();
      socket.on('error', () => {});
      socket.terminate();
      outcome();
    };
    socket.once('open', () => settle(() => resolve(101)));
    socket.once('unexpected-response', (_request, response) => settle(() => resolve(response.statusCode ?? 0)));
    socket.once('error', (error) => settle(() => reject(error)));
  });
}

/** A private deployment refuses a socket without a ticket at the handshake (the `$connect` authorizer). */
async function checkStrangersRefused(
  signalingUrl: string,
  record: (result: CheckResult) => CheckResult,
): Promise<boolean> {
  const step = 'Private access';
  try {
    const status = await handshakeStatus(memberConnectUrl(signalingUrl, createRoomId(), undefined));
    if (status === 401 || status === 403) {
      record({ step, ok: true, detail: `a socket without an invitation is refused (HTTP ${status})` });
      return true;
    }
    failed(record, {
      step,
      detail: `a socket without an invitation got HTTP ${status}: strangers could use this deployment`,
      fix: 'Deploy again with `cdk deploy` (the $connect authorizer is missing), and check that parley:access is not open.',
    });
    return false;
  } catch (error) {
    failed(record, {
      step,
      detail: `cannot reach the signaling service: ${explain(error)}`,
      fix: 'Check the SignalingUrl output and that the stack deployed completely (`cdk deploy` again). A network that blocks WebSockets (some proxies) blocks calls too: try another network.',
    });
    return false;
  }
}

/** Opens the signaling socket as a member, joins a fresh throwaway room, and answers the ICE servers it was given. */
async function checkSignaling(
  config: SiteConfig,
  ownerKey: string | undefined,
  record: (result: CheckResult) => CheckResult,
): Promise<IceServer[] | undefined> {
  const { signalingUrl } = config;
  const fix =
    'Check the SignalingUrl output and that the stack deployed completely (`cdk deploy` again). A network that blocks WebSockets (some proxies) blocks calls too: try another network.';
  if (config.access === 'private' && !ownerKey) {
    return failed(record, {
      step: 'Signaling',
      detail: 'this Parley is private, and the check has no owner key to make itself an invitation with',
      fix: 'Run it with the AWS credentials you deployed with (it reads the owner key as `pnpm owner-link` does), or pass --owner-link with your owner link.',
    });
  }
  const roomId = createRoomId();
  let socket: WebSocket | undefined;
  try {
    const ticket = ownerKey && config.access === 'private' ? await ownerTicket(ownerKey, roomId) : undefined;
    socket = new WebSocket(memberConnectUrl(signalingUrl, roomId, ticket));
    const open = socket;
    const joined = await new Promise<IceServer[]>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no answer within ${NETWORK_STEP_TIMEOUT_MS / 1000} s`)),
        NETWORK_STEP_TIMEOUT_MS,
      );
      open.once('error', (error) => reject(error));
      open.once('unexpected-response', (_request, response) =>
        reject(new Error(`the handshake was refused with HTTP ${response.statusCode}`)),
      );
      open.once('close', (code) => reject(new Error(`the socket closed (${code}) before joining`)));
      open.once('open', () =>
        open.send(
          JSON.stringify({
            type: 'join',
            id: '1',
            v: PROTOCOL_VERSION,
            roomId,
            name: CHECK_MEMBER_NAME,
          }),
        ),
      );
      open.on('message', (data) => {
        const message = parseServerMessage(data.toString());
        if (message?.type === 'joined') {
          clearTimeout(timer);
          resolve(message.iceServers as IceServer[]);
        } else if (message?.type === 'error') {
          clearTimeout(timer);
          reject(new Error(`the server answered join with error "${message.code}"`));
        }
      });
    });
    record({ step: 'Signaling', ok: true, detail: `joined a test room over ${webSocketOrigin(signalingUrl)}` });
    return joined;
  } catch (error) {
    return failed(record, { step: 'Signaling', detail: `cannot join a room: ${explain(error)}`, fix });
  } finally {
    // Leaves nothing behind: the throwaway seat is given up at once rather than held for a resume.
    socket?.removeAllListeners();
    socket?.on('error', () => {});
    if (socket?.readyState === WebSocket.OPEN) socket.send(JSON.stringify({ type: 'leave' }));
    socket?.close();
  }
}

interface TurnUrl {
  url: string;
  username: string;
  credential: string;
}

/** The TURN URLs with their credentials, from `joined.iceServers`. */
function checkTurnCredentials(iceServers: IceServer[], record: (result: CheckResult) => CheckResult): TurnUrl[] {
  const turn = iceServers.flatMap((server) =>
    (Array.isArray(server.urls) ? server.urls : [server.urls])
      .filter((url) => /^turns?:/.test(url))
      .map((url) => ({ url, username: server.username ?? '', credential: server.credential ?? '' })),
  );
  if (turn.length === 0 || turn.some((t) => !t.username || !t.credential)) {
    record({
      step: 'TURN credentials',
      ok: false,
      detail:
        turn.length === 0 ? 'the signaling service names no TURN server' : 'a TURN server came without credentials',
      fix: 'Calls between strict networks need TURN: check the stack’s TURN settings and deploy again.',
    });
    return [];
  }
  record({
    step: 'TURN credentials',
    ok: true,
    detail: `${turn.length} TURN URL${turn.length === 1 ? '' : 's'} with short-lived credentials`,
  });
  return turn;
}

/** Where a TURN URL points and over what (`turn:host:port?transport=udp|tcp`, `turns:name:port?transport=tcp`). */
export function parseTurnUrl(url: string): { host: string; port: number; transport: 'udp' | 'tcp' | 'tls' } {
  const match = /^(turns?):(\[[^\]]+\]|[^:?]+)(?::(\d+))?(?:\?transport=(udp|tcp))?$/.exec(url);
  if (!match) throw new Error(`not a TURN URL: ${url}`);
  const [, scheme, host = '', port, transport] = match;
  const secure = scheme === 'turns';
  return {
    host: host.replace(/^\[|\]$/g, ''),
    port: port ? Number(port) : secure ? 5349 : 3478,
    transport: secure ? 'tls' : transport === 'tcp' ? 'tcp' : 'udp',
  };
}

const TRANSPORT_NAMES = { udp: 'UDP', tcp: 'TCP', tls: 'TLS' } as const;

/** Allocates a relay on the TURN server over the URL's transport, as a browser does, and frees it again. */
async function checkTurnAllocation(url: string, username: string, password: string): Promise<CheckResult> {
  const { host, port, transport } = parseTurnUrl(url);
  const step = `TURN over ${TRANSPORT_NAMES[transport]} (${host}:${port})`;
  let client: TurnClient | undefined;
  let abandoned = false;
  const connectAndAllocate = async () => {
    const server = { address: await resolveAddress(host), port };
    const opened =
      transport === 'udp'
        ? await TurnClient.open(server)
        : transport === 'tcp'
          ? await TurnClient.openTcp(server)
          : await TurnClient.openTls(server, host);
    // A connection that arrives after the step gave up is closed at once, so nothing keeps the process alive.
    if (abandoned) opened.close();
    else client = opened;
    return opened.allocate({ username, password });
  };
  try {
    const allocation = await withTimeout(connectAndAllocate(), TURN_STEP_TIMEOUT_MS);
    await client?.refresh(0).catch(() => undefined);
    return { step, ok: true, detail: `relay allocated (${allocation.relayed.address}:${allocation.relayed.port})` };
  } catch (error) {
    return { step, ok: false, detail: explain(error), fix: turnFix(transport, error) };
  } finally {
    abandoned = true;
    client?.close();
  }
}

function turnFix(transport: 'udp' | 'tcp' | 'tls', error: unknown): string {
  if (error instanceof TurnRequestError && error.code === 401) {
    return 'The TURN host refused credentials the signaling service issued: it holds another secret than the one in Secrets Manager, or its clock is far off. See its setup log (Session Manager, `sudo cat /var/log/cloud-init-output.log`).';
  }
  if (error instanceof TurnRequestError) {
    return `The TURN host answered ${error.code}: see its log (Session Manager, \`sudo journalctl -u coturn\`).`;
  }
  const code = (error as NodeJS.ErrnoException).code;
  if (code === 'ECONNREFUSED') {
    return 'Nothing listens there: coturn is not running. Right after `cdk deploy` the host needs a minute or two to install it; later, see its log (Session Manager, `sudo journalctl -u coturn`).';
  }
  if (transport === 'tls' && /certificate|self.signed|altname/i.test(String((error as Error).message))) {
    return 'The TLS certificate does not match the TURN domain or is not trusted: check the certificate secret (parley:turnTlsCertificateSecretArn) and the DNS record of parley:turnDomain.';
  }
  const blocked =
    transport === 'udp'
      ? 'or this network blocks UDP to it (common on corporate and guest networks; calls then use TCP or TLS).'
      : 'or this network blocks the port (a firewall that allows only web traffic needs TURN over TLS on 443: set parley:turnDomain and parley:turnTlsPort=443).';
  return `No answer: the TURN host may still be booting (a minute or two after \`cdk deploy\`), ${blocked}`;
}

async function resolveAddress(host: string): Promise<string> {
  const { isIP } = await import('node:net');
  if (isIP(host)) return host;
  const { lookup } = await import('node:dns/promises');
  return (await lookup(host)).address;
}

function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error(`no answer within ${ms / 1000} s`)), ms);
    promise.then(
      (value) => {
        clearTimeout(timer);
        resolve(value);
      },
      (error) => {
        clearTimeout(timer);
        reject(error);
      },
    );
  });
}

function failed(record: (result: CheckResult) => CheckResult, result: Omit<CheckResult, 'ok'>): undefined {
  record({ ...result, ok: false });
  return undefined;
}

function explain(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { cause?: NodeJS.ErrnoException };
  const code = e.cause?.code ?? e.code;
  const message = e.cause?.message ?? e.message ?? String(error);
  return code && !message.includes(code) ? `${message} (${code})` : message;
}
