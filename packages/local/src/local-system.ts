import { randomBytes } from 'node:crypto';
import {
  type AccessMode,
  createOwnerKey,
  DEFAULT_INVITE_VALIDITY_HOURS,
  ownerLink,
  TURN_CREDENTIAL_TTL_SECONDS,
} from '@parley/protocol';
import {
  AUTHORIZER_ENTRY_POINT,
  createAuthorizer,
  createSignalingHandlers,
  HANDLER_ENTRY_POINTS,
  type HandlerName,
  ROUTE_SELECTION_EXPRESSION,
  type WebSocketHandler,
} from '@parley/signaling';
import type { ChaosSettings } from './chaos';
import { ensureClientBuilt } from './client-build';
import {
  type DynamoDbRequestTrace,
  LOCAL_CREDENTIALS,
  LOCAL_REGION,
  type LocalDynamoDb,
  startDynamoDb,
  useExternalDynamoDb,
} from './dynamodb';
import { type GatewayLimits, type GatewayTrace, type PostInterceptor, WebSocketGateway } from './gateway';
import { type LocalTurn, startLocalTurn } from './local-turn';
import { type StaticSite, startStaticSite } from './static-site';

type SignalingHandlers = ReturnType<typeof createSignalingHandlers>;

/** The room table's name locally; on AWS CloudFormation names it. */
export const LOCAL_TABLE_NAME = 'parley-rooms';

/** Where a local system listens unless told otherwise. */
const LOOPBACK = '127.0.0.1';

/** The stage clients connect to, as on a deployed API (`wss://…/prod`). */
export const LOCAL_STAGE = 'local';

/** Options of {@link startLocalSystem}; every one has a default that suits `pnpm dev`. */
export interface LocalSystemOptions {
  /**
   * Address the site, the signaling stand-in and coturn listen on and advertise (the site's URL, `/config.json`'s
   * signaling URL, the TURN URLs and coturn's relay address). Loopback by default: nothing here is meant for the
   * network. A LAN address lets other devices on the LAN call (`pnpm dev --host ADDR`). DynamoDB stays on loopback.
   */
  host?: string;
  /**
   * A DynamoDB-API server to use instead of the embedded dynalite, e.g. AWS's DynamoDB Local
   * (`http://127.0.0.1:8000`); the system creates its own table there and deletes it on stop.
   */
  dynamodbEndpoint?: string;
  /** Fixed ports (0 or absent: a free one). */
  gatewayPort?: number;
  sitePort?: number;
  turnPort?: number;
  /**
   * Also hand out TURN over TCP on this port (a default deploy's 443), for a host whose firewall redirects that port
   * to coturn's: the network lab applies the deploy's own redirect rule. Redirecting needs root, so it is not done here.
   */
  turnTcpFallbackPort?: number;
  /**
   * `auto` starts coturn when it is installed (with a hint when it is not), `on` requires it, `off` runs without
   * (clients then get `turnUrls`, default none).
   */
  turn?: 'auto' | 'on' | 'off';
  /** TURN URLs handed to clients when `turn` is off (tests of the credential format). */
  turnUrls?: string[];
  /** The TURN REST shared secret; default: a fresh random one per run. */
  turnSecret?: string;
  turnCredentialTtlSeconds?: number;
  /** Serve the built client and `/config.json` (default true); `{ root }` serves another directory, e.g. a test build. */
  site?: boolean | { root: string };
  /** API Gateway quotas, shrunk by tests. */
  limits?: Partial<GatewayLimits>;
  chaos?: Partial<ChaosSettings>;
  /** Clock of the handlers (tests move it). */
  now?: () => number;
  /** `private` (default, as deployed): every socket needs a ticket; `open`: anyone (see README, Security model). */
  access?: AccessMode;
  /** The owner key of a private system; default: a fresh one per run (`pnpm dev` prints the owner link). */
  ownerKey?: string;
  /** How long a guest link works (default as deployed). */
  inviteValidityHours?: number;
  /** Handler log level (Powertools: DEBUG, INFO, WARN, ERROR, SILENT). Default WARN: `pnpm dev` stays readable. */
  logLevel?: string;
  /** Where startup notes go (hints, build output). Default: stderr. */
  log?: (line: string) => void;
  /** Timestamps of the gateway's steps and of each DynamoDB request (embedded dynalite only), for timelines. */
  trace?: { gateway?: GatewayTrace; dynamodb?: DynamoDbRequestTrace };
  /** Test-only: a malicious server's hand on every message posted to a client (see the gateway's option). */
  interceptPosts?: PostInterceptor;
}

/** Everything `pnpm dev` runs, on loopback. */
export interface LocalSystem {
  /** Where clients connect, e.g. `ws://127.0.0.1:41234/local`. */
  signalingUrl: string;
  /** The site (client + `/config.json`), when served. */
  siteUrl: string | undefined;
  dynamodbEndpoint: string;
  tableName: string;
  /** DynamoDB API requests the local server has answered so far, by operation (for benchmarks). */
  dynamodbRequestCounts(): Record<string, number>;
  gateway: WebSocketGateway;
  /** The running coturn, when there is one. */
  turn: LocalTurn | undefined;
  /** TURN URLs handed to clients. */
  turnUrls: string[];
  access: AccessMode;
  /** The current owner key (private access). */
  ownerKey(): string;
  /** The site with the owner key in its fragment, as `pnpm owner-link` prints it for a deployment. */
  ownerLink(): string | undefined;
  /**
   * Replaces the owner key, as `pnpm owner-link --rotate` does on AWS: tickets signed with the old one are refused
   * from now on (the authorizer starts with a fresh key cache, as a new Lambda container would). Answers the new key.
   */
  rotateOwnerKey(): string;
  /** Stops everything it started, in reverse order. Safe to call twice. */
  stop(): Promise<void>;
}

/**
 * Starts the whole system locally: a real DynamoDB-API server with the shared table schema, the API Gateway
 * stand-in invoking the very same handlers the Lambdas run, real coturn from the shared config generator, and the
 * client served the way CloudFront serves it.
 */
export async function startLocalSystem(options: LocalSystemOptions = {}): Promise<LocalSystem> {
  const host = options.host ?? LOOPBACK;
  const log = options.log ?? ((line: string) => console.error(line));
  const turnSecret = options.turnSecret ?? randomBytes(24).toString('base64url');
  const access = options.access ?? 'private';
  const inviteValidityHours = options.inviteValidityHours ?? DEFAULT_INVITE_VALIDITY_HOURS;
  let ownerKey = options.ownerKey ?? createOwnerKey();
  const accessConfig = {
    access,
    inviteValidityHours,
    ownerKey: async () => ownerKey,
    logLevel: options.logLevel ?? 'WARN',
    ...(options.now ? { now: options.now } : {}),
  };
  // What the authorizer Lambda's entry file builds from its environment, built from the same config here.
  let authorize = createAuthorizer(accessConfig);
  const stops: (() => Promise<void>)[] = [];
  const stop = async () => {
    for (const stopOne of stops.splice(0).reverse()) await stopOne().catch(() => undefined);
  };

  try {
    const dynamodb: LocalDynamoDb = options.dynamodbEndpoint
      ? await useExternalDynamoDb({
          endpoint: options.dynamodbEndpoint,
          // Its own table per run: a server that outlives us may still hold an earlier run's table.
          tableName: `${LOCAL_TABLE_NAME}-${randomBytes(4).toString('hex')}`,
        })
      : await startDynamoDb({
          tableName: LOCAL_TABLE_NAME,
          // Only the handlers in this process talk to it, and it has no authentication: never on the network.
          host: LOOPBACK,
          ...(options.trace?.dynamodb ? { onRequest: options.trace.dynamodb } : {}),
        });
    stops.push(dynamodb.stop);

    let turn: LocalTurn | undefined;
    const turnMode = options.turn ?? 'auto';
    if (turnMode !== 'off') {
      turn = await startLocalTurn({
        host,
        port: options.turnPort ?? 0,
        secret: turnSecret,
        ...(options.turnTcpFallbackPort === undefined ? {} : { tcpFallbackPort: options.turnTcpFallbackPort }),
        log,
      });
      if (!turn && turnMode === 'on') throw new Error('coturn is required (turn: "on") but is not installed');
      if (turn) stops.push(turn.process.stop);
    }
    const turnUrls = turn?.urls ?? options.turnUrls ?? [];

    // The handlers need the gateway's management endpoint, which exists only once it listens: routes look them up.
    let handlers: SignalingHandlers | undefined;
    const routes = Object.fromEntries(
      Object.entries(HANDLER_ENTRY_POINTS).map(([name, entry]) => {
        const route: WebSocketHandler = (event, context) => {
          if (!handlers) throw new Error('The signaling handlers are not ready yet');
          return handlers[name as HandlerName](event, context);
        };
        return [entry.routeKey, route];
      }),
    );
    const gateway = await WebSocketGateway.start({
      routes,
      routeSelectionExpression: ROUTE_SELECTION_EXPRESSION,
      host,
      port: options.gatewayPort ?? 0,
      stage: LOCAL_STAGE,
      ...(options.limits ? { limits: options.limits } : {}),
      ...(options.chaos ? { chaos: options.chaos } : {}),
      ...(options.trace?.gateway ? { trace: options.trace.gateway } : {}),
      ...(access === 'private'
        ? {
            authorizer: {
              handler: (event, context) => authorize(event, context),
              identitySource: AUTHORIZER_ENTRY_POINT.identitySource,
            },
          }
        : {}),
      ...(options.interceptPosts ? { interceptPosts: options.interceptPosts } : {}),
    });
    stops.push(() => gateway.stop());
    handlers = createSignalingHandlers({
      tableName: dynamodb.tableName,
      managementEndpoint: gateway.managementEndpoint,
      region: LOCAL_REGION,
      dynamodbEndpoint: dynamodb.endpoint,
      credentials: LOCAL_CREDENTIALS,
      turnUrls,
      turnCredentialTtlSeconds: options.turnCredentialTtlSeconds ?? TURN_CREDENTIAL_TTL_SECONDS,
      turnSecret: async () => turnSecret,
      ...accessConfig,
    });

    let site: StaticSite | undefined;
    const siteOption = options.site ?? true;
    if (siteOption !== false) {
      const root = typeof siteOption === 'object' ? siteOption.root : await ensureClientBuilt(log);
      site = await startStaticSite({
        root,
        siteConfig: { signalingUrl: gateway.url, access, inviteValidityHours },
        host,
        port: options.sitePort ?? 0,
      });
      stops.push(site.stop);
    }

    return {
      signalingUrl: gateway.url,
      siteUrl: site?.url,
      dynamodbEndpoint: dynamodb.endpoint,
      tableName: dynamodb.tableName,
      dynamodbRequestCounts: dynamodb.requestCounts,
      gateway,
      turn,
      turnUrls,
      access,
      ownerKey: () => ownerKey,
      ownerLink: () => (site && access === 'private' ? ownerLink(site.url, ownerKey) : undefined),
      rotateOwnerKey: () => {
        ownerKey = createOwnerKey();
        authorize = createAuthorizer(accessConfig);
        return ownerKey;
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
