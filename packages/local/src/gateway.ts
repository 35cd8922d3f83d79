import { createServer, type IncomingMessage, type Server, type ServerResponse, STATUS_CODES } from 'node:http';
import { type AddressInfo, Socket } from 'node:net';
import type { Duplex } from 'node:stream';
import { API_GATEWAY_LIMITS } from '@parley/protocol';
import {
  type AuthorizerEvent,
  type AuthorizerHandler,
  type AuthorizerResult,
  UNAUTHORIZED,
  type WebSocketEvent,
  type WebSocketHandler,
  type WebSocketResult,
} from '@parley/signaling';
import { type RawData, WebSocket, WebSocketServer } from 'ws';
import { awsStyleId } from './aws-ids';
import { ChaosPlanner, type ChaosSettings } from './chaos';
import { handleControlRequest } from './control-api';
import { FrameSizeWatcher } from './frame-size-watcher';
import { sendJson } from './http-io';
import { handleManagementRequest } from './management-api';
import { compileRouteSelection, DEFAULT_ROUTE, type RouteSelector } from './route-selection';

/** The API Gateway quotas the stand-in enforces; tests shrink them to exercise each one. */
export interface GatewayLimits {
  frameBytes: number;
  messageBytes: number;
  idleTimeoutMs: number;
  maxConnectionMs: number;
  integrationTimeoutMs: number;
}

/** Options of {@link WebSocketGateway.start}. */
export interface WebSocketGatewayOptions {
  /** Handlers by route key: `$connect`, `$disconnect`, `$default` and custom keys. All optional, as on AWS. */
  routes: Partial<Record<string, WebSocketHandler>>;
  /** E.g. `$request.body.action`. */
  routeSelectionExpression: string;
  host?: string;
  /** 0 (the default) picks a free port. */
  port?: number;
  /** Clients connect to `/{stage}`; the management API lives under `/{stage}/@connections`. */
  stage?: string;
  apiId?: string;
  limits?: Partial<GatewayLimits>;
  chaos?: Partial<ChaosSettings>;
  /** Where handler failures are reported (AWS would log them to CloudWatch). Default: stderr. */
  reportError?: (context: string, error: unknown) => void;
  /** Timestamps of each step a connection and its messages go through (benchmarks' timelines). Default: none. */
  trace?: GatewayTrace;
  /**
   * Test-only, off by default (nothing `pnpm dev` runs sets it): plays a malicious server. Every message the handlers
   * post to a connection goes through this first, in order per connection, and what it answers is delivered instead
   * (nothing, the message, or others). With it set, {@link WebSocketGateway.inject} sends messages of its own.
   */
  interceptPosts?: PostInterceptor;
  /** A `$connect` REQUEST authorizer, as API Gateway runs one (see {@link WebSocketAuthorizer}). Default: none. */
  authorizer?: WebSocketAuthorizer;
}

/**
 * A Lambda REQUEST authorizer on `$connect`. As on AWS: a handshake missing any identity source is refused with 401
 * without invoking it; a thrown `Unauthorized` is 401, any other failure 500, a policy without an Allow 403; an Allow
 * passes its `context` (plus `principalId`) to `$connect` and every later event as `requestContext.authorizer`.
 */
export interface WebSocketAuthorizer {
  handler: AuthorizerHandler;
  /** E.g. `route.request.querystring.ticket`, `route.request.header.Auth`. */
  identitySource: readonly string[];
}

/** Decides what a connection gets instead of a message the handlers posted to it (see `interceptPosts`). */
export type PostInterceptor = (post: { connectionId: string; data: string }) => Promise<string[]>;

/** One step the gateway took, for timelines: `at` is epoch ms with sub-millisecond precision. */
export interface GatewayTraceEvent {
  at: number;
  /** `gone`: a post to a connection that no longer exists (the handler got GoneException). */
  step: 'upgrade' | 'connect-handled' | 'open' | 'message' | 'handled' | 'post' | 'gone' | 'close';
  connectionId: string;
  /** For messages and posts: the message type, e.g. `signal`, `joined` (never contents). */
  type?: string;
}

/** Receives gateway trace events. */
export type GatewayTrace = (event: GatewayTraceEvent) => void;

/** Epoch ms with sub-millisecond precision (Date.now() is whole milliseconds). */
export function preciseNow(): number {
  return performance.timeOrigin + performance.now();
}

/** The `type` of a JSON message, or undefined; only ever called when tracing. */
function messageType(text: string): string | undefined {
  try {
    const type = (JSON.parse(text) as { type?: unknown })?.type;
    return typeof type === 'string' ? type.slice(0, 40) : undefined;
  } catch {
    return undefined;
  }
}

/** A connection as the control API shows it. */
export interface ConnectionSummary {
  connectionId: string;
  connectedAt: number;
  lastActiveAt: number;
}

/** The events the gateway hands to handlers: AWS's shape, including the fields our handler type leaves out. */
export type GatewayEvent = WebSocketEvent & {
  requestContext: WebSocketEvent['requestContext'] & {
    extendedRequestId: string;
    requestTime: string;
    messageId?: string;
    identity: { sourceIp: string; userAgent: string };
  };
  multiValueQueryStringParameters?: Record<string, string[]>;
};

interface Connection {
  id: string;
  socket: WebSocket;
  connectedAt: number;
  lastActiveAt: number;
  sourceIp: string;
  userAgent: string;
  remotePort: number | undefined;
  idleTimer: NodeJS.Timeout;
  lifetimeTimer: NodeJS.Timeout;
  /** What the authorizer allowed, handed to every event of this connection. */
  authorizer?: Record<string, unknown>;
  /** Set when the gateway closed the socket: `$disconnect` reports this code and reason. */
  closedByGateway?: { code: number; reason: string };
  closed: Promise<void>;
  /** Posts waiting for `interceptPosts`, so they keep their order. */
  intercepted: Promise<void>;
}

class IntegrationTimeout extends Error {}

/** How long stop() waits for clients to answer the close handshake before cutting them off. */
const STOP_CLOSE_GRACE_MS = 2_000;

const CLOSE_GOING_AWAY = { code: 1001, reason: 'Going away' } as const;
const CLOSE_MESSAGE_TOO_BIG = { code: 1009, reason: 'Message too big' } as const;

/** AWS's error frames carry this exact, irregular spacing; clients that parse them see the same text locally. */
function gatewayErrorFrame(message: string, connectionId: string, requestId: string): string {
  return `{"message": "${message}", "connectionId":"${connectionId}", "requestId":"${requestId}"}`;
}

function headerMaps(request: IncomingMessage): {
  headers: Record<string, string>;
  multiValueHeaders: Record<string, string[]>;
} {
  const headers: Record<string, string> = {};
  const multiValueHeaders: Record<string, string[]> = {};
  for (let i = 0; i + 1 < request.rawHeaders.length; i += 2) {
    const name = request.rawHeaders[i] as string;
    const value = request.rawHeaders[i + 1] as string;
    headers[name] = value;
    multiValueHeaders[name] = [...(multiValueHeaders[name] ?? []), value];
  }
  return { headers, multiValueHeaders };
}

/**
 * A local stand-in for an API Gateway WebSocket API: one HTTP server that accepts WebSocket clients on `/{stage}`,
 * invokes route handlers with AWS-shaped events, serves the `@connections` management API, enforces AWS's
 * limits, and can inject chaos. Also serves a loopback-only control API under `/_local` for tests.
 */
export class WebSocketGateway {
  private readonly connectionsById = new Map<string, Connection>();
  private readonly inFlight = new Set<Promise<unknown>>();
  private readonly scheduled = new Set<NodeJS.Timeout>();
  private readonly wss: WebSocketServer;
  private readonly chaosPlanner: ChaosPlanner;
  private readonly selectRoute: RouteSelector;
  private readonly routeKeys: ReadonlySet<string>;
  private readonly limits: GatewayLimits;
  private readonly stage: string;
  private readonly apiId: string;
  private readonly reportError: (context: string, error: unknown) => void;
  private stopping = false;
  /** Set while {@link WebSocketGateway.holdHandshakes} holds new handshakes. */
  private heldHandshakes: { released: Promise<void>; release(): void } | undefined;
  /** `$disconnect` invocations waiting for {@link WebSocketGateway.holdDisconnects} to release them. */
  private disconnectsHeld: (() => Promise<void>)[] | undefined;

  private constructor(
    private readonly server: Server,
    private readonly options: WebSocketGatewayOptions,
  ) {
    this.limits = { ...API_GATEWAY_LIMITS, ...options.limits };
    // ws closes with 1009 when a whole message exceeds this; single frames are checked by FrameSizeWatcher.
    this.wss = new WebSocketServer({ noServer: true, maxPayload: this.limits.messageBytes });
    this.stage = options.stage ?? 'local';
    this.apiId = options.apiId ?? 'local';
    this.selectRoute = compileRouteSelection(options.routeSelectionExpression);
    this.routeKeys = new Set(Object.keys(options.routes).filter((key) => options.routes[key]));
    this.chaosPlanner = new ChaosPlanner(options.chaos);
    this.reportError =
      options.reportError ??
      ((context, error) => console.error(`[gateway] ${context}:`, (error as Error)?.stack ?? error));
    server.on('upgrade', (request: IncomingMessage, socket: Duplex, head: Buffer) => {
      this.upgrade(request, socket, head).catch((error) => {
        this.reportError('upgrade failed', error);
        socket.destroy();
      });
    });
    server.on('request', (request, response) => {
      this.serveHttp(request, response).catch((error) => {
        this.reportError('request failed', error);
        if (!response.headersSent) sendJson(response, 500, { message: 'Internal server error' });
        else response.destroy();
      });
    });
  }

  /** Starts a gateway listening on `host:port` (default 127.0.0.1 and a free port). */
  static async start(options: WebSocketGatewayOptions): Promise<WebSocketGateway> {
    const server = createServer();
    const gateway = new WebSocketGateway(server, options);
    await new Promise<void>((resolve, reject) => {
      server.once('error', reject);
      server.listen(options.port ?? 0, options.host ?? '127.0.0.1', () => {
        server.off('error', reject);
        resolve();
      });
    });
    return gateway;
  }

  private get origin(): string {
    const { port } = this.server.address() as AddressInfo;
    const host = this.options.host ?? '127.0.0.1';
    return `${host.includes(':') ? `[${host}]` : host}:${port}`;
  }

  /** Where clients connect, e.g. `ws://127.0.0.1:4000/local`. */
  get url(): string {
    return `ws://${this.origin}/${this.stage}`;
  }

  /** The `@connections` API endpoint for ApiGatewayManagementApiClient, e.g. `http://127.0.0.1:4000/local`. */
  get managementEndpoint(): string {
    return `http://${this.origin}/${this.stage}`;
  }

  /** Base URL of the loopback-only control API. */
  get controlUrl(): string {
    return `http://${this.origin}/_local`;
  }

  /** The open connections. */
  connections(): ConnectionSummary[] {
    return [...this.connectionsById.values()].map(({ id, connectedAt, lastActiveAt }) => ({
      connectionId: id,
      connectedAt,
      lastActiveAt,
    }));
  }

  /** Ids of the open connections. */
  connectionIds(): string[] {
    return [...this.connectionsById.keys()];
  }

  /**
   * The id the gateway gave a `ws` client socket of this process (tests only): matched by the client's local
   * port, which is the gateway side's remote port.
   */
  connectionIdOf(client: WebSocket): string | undefined {
    const localPort = (client as unknown as { _socket?: { localPort?: number } })._socket?.localPort;
    for (const connection of this.connectionsById.values()) {
      if (localPort !== undefined && connection.remotePort === localPort) return connection.id;
    }
    return undefined;
  }

  /** Cuts a connection off like a network failure: the TCP socket is destroyed with no close frame. */
  dropConnection(connectionId: string): boolean {
    const connection = this.connectionsById.get(connectionId);
    if (!connection) return false;
    connection.socket.terminate();
    return true;
  }

  /** The chaos settings in force. */
  chaos(): ChaosSettings {
    return this.chaosPlanner.current();
  }

  /** Replaces the chaos settings (missing fields: no chaos) and restarts the random generator from the seed. */
  setChaos(settings: Partial<ChaosSettings>): ChaosSettings {
    return this.chaosPlanner.configure(settings);
  }

  /** Closes every connection (each gets its `$disconnect`), waits for handlers in flight, and stops listening. */
  async stop(): Promise<void> {
    if (this.stopping) return;
    this.stopping = true;
    // Whatever a test held goes through now (and a held handshake is refused: the gateway is stopping).
    const heldDisconnects = this.disconnectsHeld?.splice(0) ?? [];
    this.disconnectsHeld = undefined;
    for (const run of heldDisconnects) void run();
    this.heldHandshakes?.release();
    const open = [...this.connectionsById.values()];
    for (const connection of open) this.closeConnection(connection, CLOSE_GOING_AWAY);
    const cutOff = setTimeout(() => {
      for (const connection of open) connection.socket.terminate();
    }, STOP_CLOSE_GRACE_MS);
    await Promise.all(open.map((connection) => connection.closed));
    clearTimeout(cutOff);
    for (const timer of this.scheduled) clearTimeout(timer);
    this.scheduled.clear();
    await Promise.allSettled([...this.inFlight]);
    this.wss.close();
    this.server.closeAllConnections();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }

  private async serveHttp(request: IncomingMessage, response: ServerResponse): Promise<void> {
    if (await handleControlRequest(request, response, this)) return;
    const handled = await handleManagementRequest(request, response, {
      stage: this.stage,
      maxPostBytes: this.limits.messageBytes,
      registry: {
        postToConnection: (id, data) => this.postToConnection(id, data),
        describeConnection: (id) => this.liveConnection(id),
        deleteConnection: (id) => {
          const connection = this.liveConnection(id);
          if (!connection) return false;
          this.closeConnection(connection, { code: 1000, reason: '' });
          return true;
        },
      },
    });
    if (!handled) sendJson(response, 404, { message: 'Not Found' });
  }

  /** A connection that exists and is not being closed by the gateway (AWS reports those as gone at once). */
  private liveConnection(connectionId: string): Connection | undefined {
    const connection = this.connectionsById.get(connectionId);
    return connection && !connection.closedByGateway ? connection : undefined;
  }

  private baseContext(
    routeKey: string,
    eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT',
    connection: {
      id: string;
      connectedAt: number;
      sourceIp: string;
      userAgent: string;
      authorizer?: Record<string, unknown>;
    },
  ): GatewayEvent['requestContext'] {
    const now = new Date();
    return {
      routeKey,
      eventType,
      messageDirection: 'IN',
      connectionId: connection.id,
      connectedAt: connection.connectedAt,
      requestId: awsStyleId(),
      extendedRequestId: awsStyleId(),
      requestTime: now.toUTCString(),
      requestTimeEpoch: now.getTime(),
      domainName: this.origin,
      stage: this.stage,
      apiId: this.apiId,
      identity: { sourceIp: connection.sourceIp, userAgent: connection.userAgent },
      ...(connection.authorizer ? { authorizer: connection.authorizer } : {}),
    };
  }

  /**
   * Runs the `$connect` authorizer. Answers the context to hand to the connection's events, or refuses the handshake
   * itself and answers undefined.
   */
  private async authorize(
    authorizer: WebSocketAuthorizer,
    socket: Duplex,
    pending: { id: string; connectedAt: number; sourceIp: string; userAgent: string },
    request: Pick<
      GatewayEvent,
      'headers' | 'multiValueHeaders' | 'queryStringParameters' | 'multiValueQueryStringParameters'
    >,
  ): Promise<Record<string, unknown> | undefined> {
    const lowerHeaders = Object.fromEntries(
      Object.entries(request.headers ?? {}).map(([name, value]) => [name.toLowerCase(), value]),
    );
    const present = authorizer.identitySource.every((source) => {
      const query = /^route\.request\.querystring\.(.+)$/.exec(source);
      if (query) return !!request.queryStringParameters?.[query[1] as string];
      const header = /^route\.request\.header\.(.+)$/.exec(source);
      if (header) return !!lowerHeaders[(header[1] as string).toLowerCase()];
      return false;
    });
    if (!present) {
      refuseHandshake(socket, 401, JSON.stringify({ message: UNAUTHORIZED }));
      return undefined;
    }
    const event: AuthorizerEvent & Record<string, unknown> = {
      type: 'REQUEST',
      methodArn: `arn:aws:execute-api:local:000000000000:${this.apiId}/${this.stage}/$connect`,
      ...request,
      stageVariables: {},
      requestContext: this.baseContext('$connect', 'CONNECT', pending),
    };
    let result: AuthorizerResult;
    try {
      result = await this.invoke(authorizer.handler, event);
    } catch (error) {
      if ((error as Error)?.message === UNAUTHORIZED) {
        refuseHandshake(socket, 401, JSON.stringify({ message: UNAUTHORIZED }));
      } else {
        this.reportError('authorizer failed', error);
        refuseHandshake(socket, 500, JSON.stringify({ message: 'Internal server error' }));
      }
      return undefined;
    }
    const statements = result?.policyDocument?.Statement ?? [];
    const allowed =
      statements.some((statement) => statement.Effect === 'Allow') &&
      !statements.some((statement) => statement.Effect === 'Deny');
    if (!allowed) {
      refuseHandshake(socket, 403, JSON.stringify({ message: 'Forbidden' }));
      return undefined;
    }
    return { ...(result.context ?? {}), principalId: result.principalId };
  }

  private async upgrade(request: IncomingMessage, socket: Duplex, head: Buffer): Promise<void> {
    // A client that gives up mid-handshake must not crash the gateway.
    socket.on('error', () => undefined);
    const url = new URL(request.url ?? '/', 'http://local');
    if (this.stopping || (url.pathname !== `/${this.stage}` && url.pathname !== `/${this.stage}/`)) {
      refuseHandshake(socket, this.stopping ? 503 : 403, JSON.stringify({ message: 'Forbidden' }));
      return;
    }
    const pending: {
      id: string;
      connectedAt: number;
      sourceIp: string;
      userAgent: string;
      authorizer?: Record<string, unknown>;
    } = {
      id: awsStyleId(),
      connectedAt: Date.now(),
      sourceIp: request.socket.remoteAddress ?? '',
      userAgent: request.headers['user-agent'] ?? '',
    };
    this.options.trace?.({ at: preciseNow(), step: 'upgrade', connectionId: pending.id });
    if (this.heldHandshakes) {
      await this.heldHandshakes.released;
      if (socket.destroyed) return; // the client gave up while its handshake was held
      if (this.stopping) {
        refuseHandshake(socket, 503, JSON.stringify({ message: 'Service Unavailable' }));
        return;
      }
    }
    const query: Record<string, string> = {};
    const multiQuery: Record<string, string[]> = {};
    for (const [key, value] of url.searchParams) {
      query[key] = value;
      multiQuery[key] = [...(multiQuery[key] ?? []), value];
    }
    const { headers, multiValueHeaders } = headerMaps(request);
    const forwarded = { 'X-Forwarded-For': pending.sourceIp, 'X-Forwarded-Proto': 'http' };
    const event: GatewayEvent = {
      requestContext: this.baseContext('$connect', 'CONNECT', pending),
      headers: { ...headers, ...forwarded },
      multiValueHeaders: {
        ...multiValueHeaders,
        ...Object.fromEntries(Object.entries(forwarded).map(([k, v]) => [k, [v]])),
      },
      isBase64Encoded: false,
      ...(url.searchParams.size > 0
        ? { queryStringParameters: query, multiValueQueryStringParameters: multiQuery }
        : {}),
    };
    if (this.options.authorizer) {
      const authorized = await this.authorize(this.options.authorizer, socket, pending, event);
      if (authorized === undefined) return;
      pending.authorizer = authorized;
      event.requestContext = this.baseContext('$connect', 'CONNECT', pending);
    }
    const handler = this.options.routes.$connect;
    if (handler) {
      let result: WebSocketResult;
      try {
        result = await this.invoke(handler, event);
      } catch (error) {
        this.reportError('$connect failed', error);
        refuseHandshake(socket, 500, JSON.stringify({ message: 'Internal server error' }));
        return;
      }
      if (typeof result?.statusCode !== 'number') {
        this.reportError('$connect returned no statusCode', result);
        refuseHandshake(socket, 502, JSON.stringify({ message: 'Internal server error' }));
        return;
      }
      this.options.trace?.({ at: preciseNow(), step: 'connect-handled', connectionId: pending.id });
      if (result.statusCode < 200 || result.statusCode >= 300) {
        refuseHandshake(socket, result.statusCode, result.body ?? '');
        return;
      }
    }
    // The client may have given up while `$connect` ran; it never became a connection.
    if (socket.destroyed || this.stopping) {
      socket.destroy();
      return;
    }
    this.wss.handleUpgrade(request, socket, head, (ws) => this.register(ws, socket, pending));
  }

  private register(
    socket: WebSocket,
    rawSocket: Duplex,
    pending: {
      id: string;
      connectedAt: number;
      sourceIp: string;
      userAgent: string;
      authorizer?: Record<string, unknown>;
    },
  ): void {
    const connection: Connection = {
      ...pending,
      socket,
      remotePort: rawSocket instanceof Socket ? rawSocket.remotePort : undefined,
      lastActiveAt: pending.connectedAt,
      idleTimer: setTimeout(() => this.closeConnection(connection, CLOSE_GOING_AWAY), this.limits.idleTimeoutMs),
      lifetimeTimer: setTimeout(() => this.closeConnection(connection, CLOSE_GOING_AWAY), this.limits.maxConnectionMs),
      closed: new Promise<void>((resolve) => socket.once('close', () => resolve())),
      intercepted: Promise.resolve(),
    };
    this.connectionsById.set(connection.id, connection);
    this.options.trace?.({ at: preciseNow(), step: 'open', connectionId: connection.id });
    const frames = new FrameSizeWatcher(this.limits.frameBytes, () =>
      this.closeConnection(connection, CLOSE_MESSAGE_TOO_BIG),
    );
    // Runs before ws parses the same bytes, so an oversized frame is flagged before its message is delivered.
    rawSocket.prependListener('data', (chunk: Buffer) => frames.push(chunk));
    // ws reports protocol violations (e.g. a message over maxPayload, closed with 1009) here before closing.
    socket.on('error', () => undefined);
    socket.on('message', (data, isBinary) => this.receive(connection, data, isBinary));
    socket.on('close', (code, reason) => {
      this.disconnected(connection, code, reason.toString('utf8'));
    });
  }

  private receive(connection: Connection, data: RawData, isBinary: boolean): void {
    // A connection the gateway is closing (e.g. for an oversized frame) invokes nothing more.
    if (connection.closedByGateway) return;
    connection.lastActiveAt = Date.now();
    connection.idleTimer.refresh();
    const bytes = Array.isArray(data) ? Buffer.concat(data) : Buffer.from(data as Buffer);
    const body = isBinary ? bytes.toString('base64') : bytes.toString('utf8');
    const routeKey = isBinary ? DEFAULT_ROUTE : this.selectRoute(body, this.routeKeys);
    const handler = this.options.routes[routeKey];
    const context = this.baseContext(routeKey, 'MESSAGE', connection);
    if (!handler) {
      this.sendFrame(connection, gatewayErrorFrame('Forbidden', connection.id, context.requestId as string));
      return;
    }
    const event: GatewayEvent = {
      requestContext: { ...context, messageId: awsStyleId() },
      body,
      isBase64Encoded: isBinary,
    };
    const trace = this.options.trace;
    const type = trace ? messageType(body) : undefined;
    trace?.({ at: preciseNow(), step: 'message', connectionId: connection.id, type });
    const run = () => {
      const invocation = this.invoke(handler, event);
      if (trace) {
        const handled = () => trace({ at: preciseNow(), step: 'handled', connectionId: connection.id, type });
        invocation.then(handled, handled);
      }
      invocation.catch((error) => {
        this.reportError(`${routeKey} failed`, error);
        const message = error instanceof IntegrationTimeout ? 'Endpoint request timed out' : 'Internal server error';
        this.sendFrame(connection, gatewayErrorFrame(message, connection.id, context.requestId as string));
      });
    };
    this.deliver(this.chaosPlanner.plan('inbound'), run);
  }

  private postToConnection(connectionId: string, data: Buffer): 'sent' | 'gone' {
    const connection = this.liveConnection(connectionId);
    if (!connection) {
      this.options.trace?.({ at: preciseNow(), step: 'gone', connectionId, type: messageType(data.toString('utf8')) });
      return 'gone';
    }
    this.options.trace?.({ at: preciseNow(), step: 'post', connectionId, type: messageType(data.toString('utf8')) });
    const intercept = this.options.interceptPosts;
    if (intercept) {
      connection.intercepted = connection.intercepted
        .then(() => intercept({ connectionId, data: data.toString('utf8') }))
        .then(
          (replacements) => {
            for (const text of replacements) this.sendFrame(connection, text);
          },
          (error) => this.reportError('interceptPosts failed', error),
        );
      return 'sent';
    }
    this.deliver(this.chaosPlanner.plan('outbound'), () => {
      if (connection.socket.readyState === WebSocket.OPEN) connection.socket.send(data, { binary: false });
    });
    return 'sent';
  }

  /** Test-only (needs `interceptPosts`): sends `text` to a connection as if the handlers had posted it. */
  inject(connectionId: string, text: string): boolean {
    if (!this.options.interceptPosts) throw new Error('inject() is for tests that set interceptPosts');
    const connection = this.liveConnection(connectionId);
    if (connection) this.sendFrame(connection, text);
    return connection !== undefined;
  }

  /** Runs `action` now, or once per planned copy after its delay. */
  private deliver(plan: number[] | undefined, action: () => void): void {
    if (!plan) {
      action();
      return;
    }
    for (const delayMs of plan) {
      const timer = setTimeout(() => {
        this.scheduled.delete(timer);
        action();
      }, delayMs);
      this.scheduled.add(timer);
    }
  }

  private sendFrame(connection: Connection, text: string): void {
    if (connection.socket.readyState === WebSocket.OPEN) connection.socket.send(text);
  }

  private closeConnection(connection: Connection, close: { code: number; reason: string }): void {
    if (connection.closedByGateway) return;
    connection.closedByGateway = { ...close };
    connection.socket.close(close.code, close.reason);
  }

  private disconnected(connection: Connection, code: number, reason: string): void {
    this.options.trace?.({ at: preciseNow(), step: 'close', connectionId: connection.id });
    clearTimeout(connection.idleTimer);
    clearTimeout(connection.lifetimeTimer);
    this.connectionsById.delete(connection.id);
    const handler = this.options.routes.$disconnect;
    if (!handler) return;
    const status = connection.closedByGateway ?? { code, reason };
    const event: GatewayEvent = {
      requestContext: {
        ...this.baseContext('$disconnect', 'DISCONNECT', connection),
        disconnectStatusCode: status.code,
        disconnectReason: status.reason,
      },
      isBase64Encoded: false,
    };
    // Best effort, as on AWS: a failing `$disconnect` is reported and forgotten.
    const run = () =>
      this.invoke(handler, event).then(
        () => undefined,
        (error) => this.reportError('$disconnect failed', error),
      );
    if (this.disconnectsHeld) this.disconnectsHeld.push(run);
    else run();
  }

  /**
   * Test-only: the service out of reach for new sockets, as during a network outage: handshakes wait (the client
   * sees a connection attempt that does not finish) until the returned function is called.
   */
  holdHandshakes(): () => void {
    this.heldHandshakes?.release();
    let release = () => {};
    const released = new Promise<void>((resolve) => {
      release = resolve;
    });
    const held = {
      released,
      release: () => {
        if (this.heldHandshakes === held) this.heldHandshakes = undefined;
        release();
      },
    };
    this.heldHandshakes = held;
    return held.release;
  }

  /**
   * Test-only: `$disconnect` comes late, as AWS allows (it is best effort and may run well after the socket is
   * gone): until the returned function is called, sockets that close wait for theirs; then they all run, and the
   * function's promise settles once they have.
   */
  holdDisconnects(): () => Promise<void> {
    const held: (() => Promise<void>)[] = [];
    this.disconnectsHeld = held;
    return async () => {
      if (this.disconnectsHeld === held) this.disconnectsHeld = undefined;
      await Promise.all(held.splice(0).map((run) => run()));
    };
  }

  /** Invokes a handler like a Lambda integration: concurrently, with the integration timeout. */
  private invoke<E, R>(handler: (event: E) => Promise<R>, event: E): Promise<R> {
    let timer: NodeJS.Timeout | undefined;
    const timeout = new Promise<never>((_, reject) => {
      timer = setTimeout(
        () => reject(new IntegrationTimeout('Integration timed out')),
        this.limits.integrationTimeoutMs,
      );
    });
    const invocation = Promise.resolve()
      .then(() => handler(structuredClone(event)))
      .finally(() => clearTimeout(timer));
    const outcome = Promise.race([invocation, timeout]);
    // stop() waits for this: a handler that hangs is abandoned at the integration timeout, as on AWS.
    const tracked = outcome.catch(() => undefined).finally(() => this.inFlight.delete(tracked));
    this.inFlight.add(tracked);
    return outcome;
  }
}

/** Answers a WebSocket upgrade request with a plain HTTP status, as API Gateway does when `$connect` refuses. */
function refuseHandshake(socket: Duplex, status: number, body: string): void {
  if (socket.destroyed) return;
  const reason = STATUS_CODES[status] ?? 'Error';
  socket.end(
    `HTTP/1.1 ${status} ${reason}\r\nContent-Type: application/json\r\nContent-Length: ${Buffer.byteLength(body)}\r\n` +
      `Connection: close\r\n\r\n${body}`,
  );
}
