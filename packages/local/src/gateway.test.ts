import {
  ApiGatewayManagementApiClient,
  DeleteConnectionCommand,
  GetConnectionCommand,
  GoneException,
  PayloadTooLargeException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { type AuthorizerHandler, type AuthorizerResult, UNAUTHORIZED, type WebSocketHandler } from '@parley/signaling';
import { afterEach, describe, expect, it } from 'vitest';
import type { ClientOptions } from 'ws';
import {
  type GatewayEvent,
  type GatewayLimits,
  type GatewayTrace,
  type GatewayTraceEvent,
  type PostInterceptor,
  WebSocketGateway,
} from './gateway';
import { Recorder, RecordingClient } from './test-support';

const AWS_CONNECTION_ID = /^[A-Za-z0-9+/]{11}=$/;
const OK = { statusCode: 200 };

let gateway: WebSocketGateway | undefined;
const clients: RecordingClient[] = [];

afterEach(async () => {
  await Promise.all(clients.splice(0).map((client) => client.close()));
  await gateway?.stop();
  gateway = undefined;
});

/** A gateway whose handlers record every event; `routes` replaces individual handlers. */
async function startGateway(
  options: {
    routes?: Record<string, WebSocketHandler | undefined>;
    limits?: Partial<GatewayLimits>;
    routeSelectionExpression?: string;
    trace?: GatewayTrace;
    authorizer?: AuthorizerHandler;
    interceptPosts?: PostInterceptor;
  } = {},
) {
  const events = new Recorder<GatewayEvent>();
  const errors = new Recorder<string>();
  const record: WebSocketHandler = async (event) => {
    events.push(event as GatewayEvent);
    return OK;
  };
  gateway = await WebSocketGateway.start({
    routes: { $connect: record, $disconnect: record, $default: record, ...options.routes },
    routeSelectionExpression: options.routeSelectionExpression ?? '$request.body.action',
    ...(options.limits ? { limits: options.limits } : {}),
    ...(options.trace ? { trace: options.trace } : {}),
    ...(options.authorizer
      ? { authorizer: { handler: options.authorizer, identitySource: ['route.request.querystring.ticket'] } }
      : {}),
    ...(options.interceptPosts ? { interceptPosts: options.interceptPosts } : {}),
    reportError: (context) => errors.push(context),
  });
  const management = new ApiGatewayManagementApiClient({
    endpoint: gateway.managementEndpoint,
    region: 'us-east-1',
    credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
  });
  return { gateway, events, errors, management };
}

async function connect(url: string, options?: ClientOptions) {
  const client = await RecordingClient.connect(url, options);
  clients.push(client);
  return client;
}

const ofType = (type: string) => (event: GatewayEvent) => event.requestContext.eventType === type;

describe('when a client connects, sends and disconnects', () => {
  it('should give the handlers events shaped like API Gateway', async () => {
    const { gateway, events } = await startGateway();
    const client = await connect(`${gateway.url}?v=1&tag=a&tag=b`, { headers: { 'X-Custom': 'yes' } });
    client.socket.send('{"hello":"world"}');
    const message = await events.first(ofType('MESSAGE'), 'the message event');
    await client.close(4000, 'done');
    const disconnect = await events.first(ofType('DISCONNECT'), 'the disconnect event');
    const connected = events.items.find(ofType('CONNECT')) as GatewayEvent;

    const id = connected.requestContext.connectionId;
    expect(id).toMatch(AWS_CONNECTION_ID);
    expect(connected.requestContext).toMatchObject({
      routeKey: '$connect',
      eventType: 'CONNECT',
      stage: 'local',
      apiId: 'local',
      domainName: expect.stringMatching(/^127\.0\.0\.1:\d+$/),
      requestId: expect.stringMatching(AWS_CONNECTION_ID),
      connectedAt: expect.any(Number),
      requestTimeEpoch: expect.any(Number),
      identity: { sourceIp: '127.0.0.1', userAgent: '' },
    });
    expect(connected.headers).toMatchObject({ 'X-Custom': 'yes', 'X-Forwarded-For': '127.0.0.1' });
    expect(connected.multiValueHeaders?.['X-Custom']).toEqual(['yes']);
    expect(connected.queryStringParameters).toEqual({ v: '1', tag: 'b' });
    expect(connected.multiValueQueryStringParameters).toEqual({ v: ['1'], tag: ['a', 'b'] });

    expect(message).toMatchObject({ body: '{"hello":"world"}', isBase64Encoded: false });
    expect(message.requestContext).toMatchObject({
      connectionId: id,
      routeKey: '$default',
      eventType: 'MESSAGE',
      connectedAt: connected.requestContext.connectedAt,
      messageId: expect.stringMatching(AWS_CONNECTION_ID),
    });
    expect(disconnect.requestContext).toMatchObject({
      connectionId: id,
      routeKey: '$disconnect',
      eventType: 'DISCONNECT',
      disconnectStatusCode: 4000,
      disconnectReason: 'done',
    });
  });

  it('should pass binary frames base64-encoded to $default', async () => {
    const { gateway, events } = await startGateway();
    const client = await connect(gateway.url);
    client.socket.send(Buffer.from([0, 1, 2, 255]));
    const message = await events.first(ofType('MESSAGE'), 'the binary message');
    expect(message).toMatchObject({ body: 'AAEC/w==', isBase64Encoded: true });
  });

  it('should refuse sockets on paths other than the stage', async () => {
    const { gateway } = await startGateway();
    await expect(RecordingClient.connect(gateway.url.replace('/local', '/prod'))).rejects.toThrow(/HTTP 403/);
  });
});

describe('when a message arrives', () => {
  it('should route by the selection expression and fall back to $default', async () => {
    const routed = new Recorder<string>();
    const route =
      (name: string): WebSocketHandler =>
      async (event) => {
        routed.push(`${name}:${event.body}`);
        return OK;
      };
    const { gateway } = await startGateway({ routes: { join: route('join'), $default: route('default') } });
    const client = await connect(gateway.url);
    for (const body of [
      '{"action":"join"}',
      '{"action":"leave"}',
      'not json',
      '{"other":1}',
      '{"action":"$connect"}',
    ]) {
      client.socket.send(body);
    }
    const items = await routed.until((all) => all.length === 5, 'five routed messages');
    expect([...items].sort()).toEqual(
      [
        'join:{"action":"join"}',
        'default:{"action":"leave"}',
        'default:not json',
        'default:{"other":1}',
        'default:{"action":"$connect"}',
      ].sort(),
    );
  });

  it('should answer with AWS’s Forbidden frame when no route matches and there is no $default', async () => {
    const { gateway } = await startGateway({ routes: { $default: undefined } });
    const client = await connect(gateway.url);
    client.socket.send('{"action":"nothing"}');
    const [frame] = await client.messages.until((all) => all.length === 1, 'the error frame');
    const id = gateway.connectionIds()[0];
    expect(frame).toMatch(
      new RegExp(
        `^\\{"message": "Forbidden", "connectionId":"${id?.replace(/[+/]/g, '\\$&')}", "requestId":"[^"]+"\\}$`,
      ),
    );
  });

  it('should answer with AWS’s internal server error frame when the handler throws', async () => {
    const failing: WebSocketHandler = async () => {
      throw new Error('boom');
    };
    const { gateway, errors } = await startGateway({ routes: { $default: failing } });
    const client = await connect(gateway.url);
    client.socket.send('hi');
    const [frame] = await client.messages.until((all) => all.length === 1, 'the error frame');
    expect(JSON.parse(frame as string)).toMatchObject({ message: 'Internal server error' });
    expect(errors.items).toEqual(['$default failed']);
  });

  it('should answer "Endpoint request timed out" when a handler outlives the integration timeout', async () => {
    const never: WebSocketHandler = () => new Promise(() => undefined);
    const { gateway } = await startGateway({ routes: { $default: never }, limits: { integrationTimeoutMs: 50 } });
    const client = await connect(gateway.url);
    client.socket.send('hi');
    const [frame] = await client.messages.until((all) => all.length === 1, 'the timeout frame');
    expect(JSON.parse(frame as string)).toMatchObject({ message: 'Endpoint request timed out' });
  });

  it('should run handlers for messages of one connection concurrently', async () => {
    let releaseFirst: () => void = () => undefined;
    const firstReleased = new Promise<void>((resolve) => {
      releaseFirst = resolve;
    });
    const order = new Recorder<string>();
    const handler: WebSocketHandler = async (event) => {
      if (event.body === 'first') await firstReleased;
      else releaseFirst();
      order.push(event.body as string);
      return OK;
    };
    const { gateway } = await startGateway({ routes: { $default: handler } });
    const client = await connect(gateway.url);
    client.socket.send('first');
    client.socket.send('second');
    // Serial invocation would deadlock here: "first" waits for "second".
    expect(await order.until((all) => all.length === 2, 'both messages')).toEqual(['second', 'first']);
  });
});

describe('when tracing is on', () => {
  it('should report each step of a connection and its messages in order, with message types only', async () => {
    const trace = new Recorder<GatewayTraceEvent>();
    let post: ((connectionId: string) => Promise<unknown>) | undefined;
    const { gateway, management } = await startGateway({
      trace: (event) => trace.push(event),
      routes: {
        $default: async (event) => {
          await post?.(event.requestContext.connectionId);
          return OK;
        },
      },
    });
    post = (connectionId) =>
      management.send(
        new PostToConnectionCommand({ ConnectionId: connectionId, Data: Buffer.from('{"type":"pong","id":"p"}') }),
      );
    const client = await connect(gateway.url);
    client.socket.send('{"type":"ping","id":"secret-ish"}');
    await trace.first((event) => event.step === 'handled', 'the handled step');
    await client.close();
    await trace.first((event) => event.step === 'close', 'the close step');

    const steps = trace.items.map(({ step, type }) => (type ? `${step} ${type}` : step));
    expect(steps).toEqual(['upgrade', 'connect-handled', 'open', 'message ping', 'post pong', 'handled ping', 'close']);
    const ids = new Set(trace.items.map((event) => event.connectionId));
    expect(ids.size).toBe(1);
    const times = trace.items.map((event) => event.at);
    expect(times).toEqual([...times].sort((x, y) => x - y));
    expect(JSON.stringify(trace.items)).not.toContain('secret-ish');
  });
});

describe('when $connect answers', () => {
  it('should refuse the handshake with the status and body of a non-2xx answer', async () => {
    const refuse: WebSocketHandler = async () => ({ statusCode: 401, body: 'who are you?' });
    const { gateway } = await startGateway({ routes: { $connect: refuse } });
    await expect(RecordingClient.connect(gateway.url)).rejects.toThrow('HTTP 401 who are you?');
    expect(gateway.connectionIds()).toEqual([]);
  });

  it('should refuse the handshake with 500 when $connect throws', async () => {
    const failing: WebSocketHandler = async () => {
      throw new Error('boom');
    };
    const { gateway } = await startGateway({ routes: { $connect: failing } });
    await expect(RecordingClient.connect(gateway.url)).rejects.toThrow(/HTTP 500/);
  });

  it('should treat posting to the connection from its own $connect as gone, as AWS does', async () => {
    const outcome = new Recorder<string>();
    let management: ApiGatewayManagementApiClient | undefined;
    const postEarly: WebSocketHandler = async (event) => {
      const post = new PostToConnectionCommand({ ConnectionId: event.requestContext.connectionId, Data: 'early' });
      await management?.send(post).then(
        () => outcome.push('sent'),
        (error: Error) => outcome.push(error.name),
      );
      return OK;
    };
    const started = await startGateway({ routes: { $connect: postEarly } });
    management = started.management;
    await connect(started.gateway.url);
    expect(await outcome.until((all) => all.length === 1, 'the early post')).toEqual(['GoneException']);
  });
});

describe('when $connect has a Lambda REQUEST authorizer', () => {
  const allow = (resource: string, context: Record<string, string>): AuthorizerResult => ({
    principalId: 'p1',
    policyDocument: {
      Version: '2012-10-17',
      Statement: [{ Action: 'execute-api:Invoke', Effect: 'Allow', Resource: resource }],
    },
    context,
  });

  it('should refuse a handshake without the identity source with 401, without invoking it or $connect', async () => {
    let invoked = 0;
    const authorizer: AuthorizerHandler = async (event) => {
      invoked++;
      return allow(event.methodArn, {});
    };
    const { gateway, events } = await startGateway({ authorizer });
    await expect(RecordingClient.connect(gateway.url)).rejects.toThrow(`HTTP 401 {"message":"${UNAUTHORIZED}"}`);
    await expect(RecordingClient.connect(`${gateway.url}?ticket=`)).rejects.toThrow('HTTP 401');
    expect(invoked).toBe(0);
    expect(events.items).toEqual([]);
  });

  it('should answer 401 for a thrown Unauthorized, 500 for any other failure, 403 for a Deny', async () => {
    const answers: Record<string, AuthorizerHandler> = {
      unauthorized: async () => {
        throw new Error(UNAUTHORIZED);
      },
      broken: async () => {
        throw new Error('boom');
      },
      deny: async (event) => ({
        principalId: 'x',
        policyDocument: {
          Version: '2012-10-17',
          Statement: [{ Action: 'execute-api:Invoke', Effect: 'Deny', Resource: event.methodArn }],
        },
      }),
    };
    const authorizer: AuthorizerHandler = (event) =>
      (answers[event.queryStringParameters?.ticket ?? ''] as AuthorizerHandler)(event);
    const { gateway, events } = await startGateway({ authorizer });
    await expect(RecordingClient.connect(`${gateway.url}?ticket=unauthorized`)).rejects.toThrow('HTTP 401');
    await expect(RecordingClient.connect(`${gateway.url}?ticket=broken`)).rejects.toThrow('HTTP 500');
    await expect(RecordingClient.connect(`${gateway.url}?ticket=deny`)).rejects.toThrow('HTTP 403');
    expect(gateway.connectionIds()).toEqual([]);
    expect(events.items).toEqual([]);
  });

  it('should hand its REQUEST event the query and a $connect method ARN, and its context to every later event', async () => {
    const seen = new Recorder<Record<string, unknown>>();
    const authorizer: AuthorizerHandler = async (event) => {
      seen.push(event as unknown as Record<string, unknown>);
      return allow(event.methodArn, { room: 'r1', role: 'guest' });
    };
    const { gateway, events } = await startGateway({ authorizer });
    const client = await connect(`${gateway.url}?ticket=t1`);
    client.socket.send('{"action":"x"}');
    const message = await events.first(ofType('MESSAGE'), 'the message event');
    const [request] = seen.items;
    expect(request).toMatchObject({
      type: 'REQUEST',
      methodArn: expect.stringMatching(/^arn:aws:execute-api:[^:]+:\d{12}:local\/local\/\$connect$/),
      queryStringParameters: { ticket: 't1' },
      requestContext: { routeKey: '$connect', eventType: 'CONNECT' },
    });
    const connected = events.items.find(ofType('CONNECT')) as GatewayEvent;
    for (const event of [connected, message]) {
      expect(event.requestContext.authorizer).toEqual({ room: 'r1', role: 'guest', principalId: 'p1' });
    }
  });
});

describe('when the backend uses the @connections management API through the AWS SDK', () => {
  it('should deliver posts, describe the connection, and close it on delete', async () => {
    const { gateway, events, management } = await startGateway();
    const client = await connect(gateway.url, { headers: { 'User-Agent': 'parley-test' } });
    const id = gateway.connectionIds()[0] as string;

    await management.send(new PostToConnectionCommand({ ConnectionId: id, Data: 'hello there' }));
    expect(await client.messages.until((all) => all.length === 1, 'the post')).toEqual(['hello there']);

    const described = await management.send(new GetConnectionCommand({ ConnectionId: id }));
    expect(described.Identity).toEqual({ SourceIp: '127.0.0.1', UserAgent: 'parley-test' });
    expect(described.ConnectedAt).toBeInstanceOf(Date);
    expect(described.LastActiveAt).toBeInstanceOf(Date);

    await management.send(new DeleteConnectionCommand({ ConnectionId: id }));
    expect((await client.closed).code).toBe(1000);
    const disconnect = await events.first(ofType('DISCONNECT'), 'the disconnect event');
    expect(disconnect.requestContext.connectionId).toBe(id);
    await expect(management.send(new GetConnectionCommand({ ConnectionId: id }))).rejects.toBeInstanceOf(GoneException);
  });

  it('should answer GoneException for unknown connections', async () => {
    const { management } = await startGateway();
    for (const command of [
      new PostToConnectionCommand({ ConnectionId: 'AAAAAAAAAAA=', Data: 'x' }),
      new GetConnectionCommand({ ConnectionId: 'AAAAAAAAAAA=' }),
      new DeleteConnectionCommand({ ConnectionId: 'AAAAAAAAAAA=' }),
    ]) {
      // biome-ignore lint/suspicious/noExplicitAny: three command types, one client
      await expect(management.send(command as any)).rejects.toBeInstanceOf(GoneException);
    }
  });

  it('should answer PayloadTooLargeException for posts over the message limit', async () => {
    const { gateway, management } = await startGateway({ limits: { messageBytes: 1024 } });
    await connect(gateway.url);
    const id = gateway.connectionIds()[0] as string;
    const post = new PostToConnectionCommand({ ConnectionId: id, Data: 'x'.repeat(1025) });
    await expect(management.send(post)).rejects.toBeInstanceOf(PayloadTooLargeException);
  });

  it('should refuse unsigned management calls', async () => {
    const { gateway } = await startGateway();
    const response = await fetch(`${gateway.managementEndpoint}/@connections/AAAAAAAAAAA%3D`, { method: 'POST' });
    expect(response.status).toBe(403);
    expect(response.headers.get('x-amzn-errortype')).toBe('ForbiddenException');
  });
});

describe('when a test plays a malicious server (interceptPosts)', () => {
  it('should deliver what the interceptor answers instead of each post, in the order posted, and let it inject', async () => {
    const seen: string[] = [];
    const { gateway, management } = await startGateway({
      interceptPosts: async ({ data }) => {
        seen.push(data);
        // The first post waits longer than the second: the order must hold anyway.
        await new Promise((resolve) => setImmediate(resolve));
        if (data === 'drop me') return [];
        return data === 'first' ? ['first, rewritten', 'and one more'] : [data];
      },
    });
    const client = await connect(gateway.url);
    const id = gateway.connectionIds()[0] as string;
    for (const text of ['first', 'drop me', 'second'])
      await management.send(new PostToConnectionCommand({ ConnectionId: id, Data: text }));
    expect(await client.messages.until((all) => all.length === 3, 'the posts')).toEqual([
      'first, rewritten',
      'and one more',
      'second',
    ]);
    expect(seen).toEqual(['first', 'drop me', 'second']);
    expect(gateway.inject(id, 'from the attacker')).toBe(true);
    expect(await client.messages.until((all) => all.length === 4, 'the injected message')).toContain(
      'from the attacker',
    );
  });

  it('should refuse to inject when no interceptor is set (never in pnpm dev)', async () => {
    const { gateway } = await startGateway();
    await connect(gateway.url);
    expect(() => gateway.inject(gateway.connectionIds()[0] as string, 'x')).toThrow(/interceptPosts/);
  });
});

describe('when a client exceeds the size limits', () => {
  it('should close with 1009 on a frame over the frame limit, without invoking the handler', async () => {
    const { gateway, events } = await startGateway({ limits: { frameBytes: 1000, messageBytes: 4000 } });
    const client = await connect(gateway.url);
    client.socket.send('x'.repeat(1001));
    expect((await client.closed).code).toBe(1009);
    const disconnect = await events.first(ofType('DISCONNECT'), 'the disconnect event');
    expect(disconnect.requestContext.disconnectStatusCode).toBe(1009);
    expect(events.items.filter(ofType('MESSAGE'))).toEqual([]);
  });

  it('should accept a message split into frames within the limits', async () => {
    const { gateway, events } = await startGateway({ limits: { frameBytes: 1000, messageBytes: 4000 } });
    const client = await connect(gateway.url);
    client.socket.send('a'.repeat(1000), { fin: false });
    client.socket.send('b'.repeat(1000), { fin: false });
    client.socket.send('c'.repeat(500), { fin: true });
    const message = await events.first(ofType('MESSAGE'), 'the reassembled message');
    expect(message.body).toHaveLength(2500);
  });

  it('should close with 1009 when the frames of one message add up to more than the message limit', async () => {
    const { gateway, events } = await startGateway({ limits: { frameBytes: 1000, messageBytes: 1500 } });
    const client = await connect(gateway.url);
    client.socket.send('a'.repeat(1000), { fin: false });
    client.socket.send('b'.repeat(1000), { fin: true });
    expect((await client.closed).code).toBe(1009);
    expect(events.items.filter(ofType('MESSAGE'))).toEqual([]);
  });
});

describe('when a connection reaches a time limit', () => {
  it('should close an idle connection with 1001 "Going away" and report it to $disconnect', async () => {
    const { gateway, events } = await startGateway({ limits: { idleTimeoutMs: 100 } });
    const client = await connect(gateway.url);
    expect(await client.closed).toEqual({ code: 1001, reason: 'Going away' });
    const disconnect = await events.first(ofType('DISCONNECT'), 'the disconnect event');
    expect(disconnect.requestContext).toMatchObject({ disconnectStatusCode: 1001, disconnectReason: 'Going away' });
  });

  it('should close a connection at its maximum duration even while it is active', async () => {
    const { gateway, events } = await startGateway({ limits: { maxConnectionMs: 300 } });
    const client = await connect(gateway.url);
    const keepBusy = setInterval(() => client.socket.send('still here'), 20);
    try {
      expect(await client.closed).toEqual({ code: 1001, reason: 'Going away' });
    } finally {
      clearInterval(keepBusy);
    }
    expect(events.items.filter(ofType('MESSAGE')).length).toBeGreaterThan(0);
    await events.first(ofType('DISCONNECT'), 'the disconnect event');
  });
});

describe('when a connection is dropped on demand', () => {
  it('should cut the TCP connection without a close frame and still run $disconnect', async () => {
    const { gateway, events } = await startGateway();
    const client = await connect(gateway.url);
    const [id] = gateway.connectionIds();
    expect(gateway.connectionIdOf(client.socket)).toBe(id);
    expect(gateway.dropConnection(id as string)).toBe(true);
    expect((await client.closed).code).toBe(1006);
    const disconnect = await events.first(ofType('DISCONNECT'), 'the disconnect event');
    expect(disconnect.requestContext).toMatchObject({ connectionId: id, disconnectStatusCode: 1006 });
    expect(gateway.dropConnection(id as string)).toBe(false);
  });

  it('should offer the same through the loopback control API', async () => {
    const { gateway } = await startGateway();
    const client = await connect(gateway.url);
    const listed = (await (await fetch(`${gateway.controlUrl}/connections`)).json()) as {
      connections: { connectionId: string }[];
    };
    const id = listed.connections[0]?.connectionId as string;
    expect(id).toMatch(AWS_CONNECTION_ID);
    const dropped = await fetch(`${gateway.controlUrl}/connections/${encodeURIComponent(id)}/drop`, { method: 'POST' });
    expect(dropped.status).toBe(204);
    expect((await client.closed).code).toBe(1006);
    const again = await fetch(`${gateway.controlUrl}/connections/${encodeURIComponent(id)}/drop`, { method: 'POST' });
    expect(again.status).toBe(404);
  });
});

describe('when a test plays a network outage (holdHandshakes, holdDisconnects)', () => {
  it('should answer GoneException for a dropped socket while its $disconnect waits, and run that once released', async () => {
    const trace = new Recorder<GatewayTraceEvent>();
    const { gateway, events, management } = await startGateway({ trace: (event) => trace.push(event) });
    const client = await connect(gateway.url);
    const [id] = gateway.connectionIds();
    const release = gateway.holdDisconnects();
    gateway.dropConnection(id as string);
    expect((await client.closed).code).toBe(1006);
    const post = new PostToConnectionCommand({ ConnectionId: id, Data: '{"type":"signal"}' });
    await expect(management.send(post)).rejects.toBeInstanceOf(GoneException);
    expect(trace.items.filter((event) => event.step === 'gone')).toMatchObject([{ connectionId: id, type: 'signal' }]);
    // A message of a later connection is handled meanwhile; the dropped one's $disconnect still waits.
    const other = await connect(gateway.url);
    other.socket.send('{"action":"ping"}');
    await events.first(ofType('MESSAGE'), "the later connection's message");
    expect(events.items.filter(ofType('DISCONNECT'))).toEqual([]);
    await release();
    // Released means run: the late one has been handled when the release settles.
    expect(events.items.filter(ofType('DISCONNECT')).map((event) => event.requestContext.connectionId)).toEqual([id]);
  });

  it('should keep new handshakes waiting, without invoking $connect, until released', async () => {
    const trace = new Recorder<GatewayTraceEvent>();
    const { gateway, events } = await startGateway({ trace: (event) => trace.push(event) });
    const release = gateway.holdHandshakes();
    const connecting = connect(gateway.url);
    await trace.first((event) => event.step === 'upgrade', 'the handshake arriving');
    expect(events.items.filter(ofType('CONNECT'))).toEqual([]);
    expect(gateway.connectionIds()).toEqual([]);
    release();
    const client = await connecting;
    expect(gateway.connectionIdOf(client.socket)).toBeDefined();
    expect(events.items.filter(ofType('CONNECT'))).toHaveLength(1);
  });

  it('should refuse a held handshake and run held disconnects when it stops', async () => {
    const trace = new Recorder<GatewayTraceEvent>();
    const { gateway, events } = await startGateway({ trace: (event) => trace.push(event) });
    const client = await connect(gateway.url);
    gateway.holdDisconnects();
    gateway.dropConnection(gateway.connectionIds()[0] as string);
    await client.closed;
    gateway.holdHandshakes();
    const connecting = RecordingClient.connect(gateway.url);
    const refused = expect(connecting).rejects.toThrow(/503/);
    await trace.until((all) => all.filter((event) => event.step === 'upgrade').length === 2, 'the held handshake');
    await gateway.stop();
    await refused;
    expect(events.items.filter(ofType('DISCONNECT'))).toHaveLength(1);
  });
});

describe('when the gateway stops', () => {
  it('should close every connection with 1001 and run its $disconnect', async () => {
    const { gateway, events } = await startGateway();
    const client = await connect(gateway.url);
    await gateway.stop();
    expect((await client.closed).code).toBe(1001);
    expect(events.items.filter(ofType('DISCONNECT'))).toHaveLength(1);
  });
});

describe('when chaos is on', () => {
  const COUNT = 40;
  const CHAOS = { seed: 7, delayMs: 5, jitterMs: 60, duplicateProbability: 0.25 };

  it('should delay, reorder and duplicate posts to clients without losing any', async () => {
    const { gateway, management } = await startGateway();
    const client = await connect(gateway.url);
    const id = gateway.connectionIds()[0] as string;
    gateway.setChaos({ ...CHAOS, inbound: false });
    await Promise.all(
      Array.from({ length: COUNT }, (_, i) =>
        management.send(new PostToConnectionCommand({ ConnectionId: id, Data: String(i) })),
      ),
    );
    const received = await client.messages.until(
      (all) => new Set(all).size === COUNT && all.length > COUNT,
      'every post plus duplicates',
    );
    const firstCopies = [...new Set(received)].map(Number);
    expect(firstCopies).not.toEqual([...firstCopies].sort((a, b) => a - b));
    expect(new Set(firstCopies)).toEqual(new Set(Array.from({ length: COUNT }, (_, i) => i)));
  });

  it('should do the same to client messages on their way to the handlers when inbound is set', async () => {
    const { gateway, events } = await startGateway();
    gateway.setChaos({ ...CHAOS, inbound: true });
    const client = await connect(gateway.url);
    for (let i = 0; i < COUNT; i++) client.socket.send(String(i));
    const bodies = () => events.items.filter(ofType('MESSAGE')).map((event) => event.body);
    await events.until(
      () => new Set(bodies()).size === COUNT && bodies().length > COUNT,
      'every message plus duplicates',
    );
    const firstCopies = [...new Set(bodies())].map(Number);
    expect(firstCopies).not.toEqual([...firstCopies].sort((a, b) => a - b));
  });

  it('should be switchable over the control API and reject bad settings', async () => {
    const { gateway } = await startGateway();
    const set = await fetch(`${gateway.controlUrl}/chaos`, {
      method: 'POST',
      body: JSON.stringify({ seed: 3, jitterMs: 10 }),
    });
    expect(set.status).toBe(200);
    expect(gateway.chaos()).toMatchObject({ seed: 3, jitterMs: 10, delayMs: 0, inbound: false });
    const bad = await fetch(`${gateway.controlUrl}/chaos`, { method: 'POST', body: '{"duplicateProbability":2}' });
    expect(bad.status).toBe(400);
    expect(await bad.text()).toMatch(/duplicateProbability/);
    expect(gateway.chaos().seed).toBe(3);
  });
});
