import {
  ApiGatewayManagementApiClient,
  GoneException,
  PostToConnectionCommand,
} from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { DeleteCommand, DynamoDBDocumentClient, PutCommand, ScanCommand } from '@aws-sdk/lib-dynamodb';
import { connectionKey, type WebSocketHandler } from '@parley/signaling';
import { LOCAL_CREDENTIALS, LOCAL_REGION } from '../src/dynamodb';
import { WebSocketGateway } from '../src/gateway';

/** The sample routes on `action`; its `sendmessage` has no route here, so every message reaches `$default`. */
const ROUTE_SELECTION_EXPRESSION = '$request.body.action';

/** Sort key every connection item carries; the Scan keeps those and skips seats. */
const CONNECTION_SORT_KEY = connectionKey('any').sk;

/** A running Scan-and-broadcast signaling service, for comparison only. */
export interface ScanBroadcastService {
  /** Where clients connect. */
  url: string;
  /** Resolves once no message handler is running (a broadcast goes on posting after its first receipt). */
  settled(): Promise<void>;
  /** PostToConnection calls made so far. */
  posts(): number;
  /** Posts that failed for another reason than GoneException. */
  failedPosts(): number;
  /** Messages whose handler ran past the integration timeout (the gateway gave up waiting, as AWS does). */
  integrationTimeouts(): number;
  stop(): Promise<void>;
}

/**
 * The design of aws-samples/simple-websockets-chat-app, on our table and behind the same gateway stand-in: `$connect`
 * puts a connection item, and every message Scans the whole table for connection items and posts to each one.
 * Unlike the sample, it pages through the Scan (the sample reads only the first 1 MB page) and does not delete
 * connections that answer GoneException: the seeded members stand for other rooms' live sockets, which this design
 * would broadcast to just the same, so every message must see the same table.
 */
export async function startScanBroadcastService(options: {
  tableName: string;
  dynamodbEndpoint: string;
}): Promise<ScanBroadcastService> {
  const dynamodb = new DynamoDBClient({
    endpoint: options.dynamodbEndpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
  });
  const doc = DynamoDBDocumentClient.from(dynamodb);
  const TableName = options.tableName;
  let management: ApiGatewayManagementApiClient | undefined;
  let postCount = 0;
  let timeoutCount = 0;
  let failedPostCount = 0;
  let running = 0;
  let wakeWhenSettled: (() => void)[] = [];

  const connect: WebSocketHandler = async (event) => {
    const { connectionId } = event.requestContext;
    await doc.send(new PutCommand({ TableName, Item: { ...connectionKey(connectionId), connectionId } }));
    return { statusCode: 200 };
  };

  const disconnect: WebSocketHandler = async (event) => {
    await doc.send(new DeleteCommand({ TableName, Key: connectionKey(event.requestContext.connectionId) }));
    return { statusCode: 200 };
  };

  const broadcast = async (body: string): Promise<void> => {
    const { data } = JSON.parse(body) as { data: string };
    const connectionIds: string[] = [];
    let startKey: Record<string, unknown> | undefined;
    do {
      const page = await doc.send(
        new ScanCommand({
          TableName,
          ProjectionExpression: 'connectionId',
          FilterExpression: 'sk = :sk',
          ExpressionAttributeValues: { ':sk': CONNECTION_SORT_KEY },
          ExclusiveStartKey: startKey,
        }),
      );
      for (const item of page.Items ?? []) connectionIds.push(item.connectionId as string);
      startKey = page.LastEvaluatedKey;
    } while (startKey);
    const payload = new TextEncoder().encode(data);
    await Promise.all(
      connectionIds.map(async (ConnectionId) => {
        postCount++;
        try {
          await management?.send(new PostToConnectionCommand({ ConnectionId, Data: payload }));
        } catch (error) {
          // Under a queue this long the odd keep-alive socket resets; one lost post must not abort the broadcast.
          if (!(error instanceof GoneException)) failedPostCount++;
        }
      }),
    );
  };

  const message: WebSocketHandler = async (event) => {
    running++;
    try {
      await broadcast(event.body ?? '{}');
    } finally {
      running--;
      if (running === 0) for (const wake of wakeWhenSettled.splice(0)) wake();
    }
    return { statusCode: 200 };
  };

  const gateway = await WebSocketGateway.start({
    routes: { $connect: connect, $disconnect: disconnect, $default: message },
    routeSelectionExpression: ROUTE_SELECTION_EXPRESSION,
    stage: 'baseline',
    // A broadcast to a large table outlasts the integration timeout; count that instead of printing each one.
    reportError: (context, error) => {
      if ((error as Error)?.message === 'Integration timed out') timeoutCount++;
      else console.error(`[baseline gateway] ${context}:`, error);
    },
  });
  management = new ApiGatewayManagementApiClient({
    endpoint: gateway.managementEndpoint,
    region: LOCAL_REGION,
    credentials: LOCAL_CREDENTIALS,
    // A broadcast queues one post per connection behind the SDK's 50 sockets; that queue is the design, not a fault.
    requestHandler: { socketAcquisitionWarningTimeout: 10 * 60_000 },
  });

  return {
    url: gateway.url,
    settled: () =>
      running === 0
        ? Promise.resolve()
        : new Promise<void>((resolve) => {
            wakeWhenSettled.push(resolve);
          }),
    posts: () => postCount,
    integrationTimeouts: () => timeoutCount,
    failedPosts: () => failedPostCount,
    stop: async () => {
      await gateway.stop();
      management?.destroy();
      dynamodb.destroy();
      wakeWhenSettled = [];
    },
  };
}
