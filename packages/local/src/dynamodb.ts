import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DeleteTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { createTableInput } from '@parley/signaling';
import dynalite from 'dynalite';

/** Credentials for local AWS-API servers: they accept any, and real ones must never reach them. */
export const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' } as const;

/** Region the local runtime claims; any string works locally. */
export const LOCAL_REGION = 'us-east-1';

/** How long the room table may take to become ACTIVE. */
const TABLE_ACTIVE_TIMEOUT_MS = 10_000;
/** Pause between DescribeTable polls while the table is CREATING. */
const TABLE_POLL_INTERVAL_MS = 20;

/** Receives one answered DynamoDB API request: its operation, arrival and answer times (epoch ms, precise). */
export type DynamoDbRequestTrace = (operation: string, arrivedAt: number, answeredAt: number) => void;

/** A running in-memory DynamoDB-API server holding the room table. */
export interface LocalDynamoDb {
  endpoint: string;
  tableName: string;
  /** DynamoDB API requests served so far, by operation (e.g. `GetItem`): what benchmarks count at the server. */
  requestCounts(): Record<string, number>;
  stop(): Promise<void>;
}

/** Creates the room table from the shared schema on a DynamoDB-API server and waits until it is ACTIVE. */
export async function createRoomTable(endpoint: string, tableName: string): Promise<void> {
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await client.send(new CreateTableCommand(createTableInput(tableName)));
    const deadline = Date.now() + TABLE_ACTIVE_TIMEOUT_MS;
    for (;;) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: tableName }));
      if (Table?.TableStatus === 'ACTIVE') return;
      if (Date.now() > deadline) throw new Error(`Table ${tableName} is still ${Table?.TableStatus}`);
      await new Promise((resolve) => setTimeout(resolve, TABLE_POLL_INTERVAL_MS));
    }
  } finally {
    client.destroy();
  }
}

/**
 * Uses a DynamoDB-API server that runs elsewhere (e.g. AWS's DynamoDB Local on its default port 8000): creates a
 * room table of its own there, and deletes it again on stop. Requests are not counted (they never pass through us).
 */
export async function useExternalDynamoDb(options: { endpoint: string; tableName: string }): Promise<LocalDynamoDb> {
  const { endpoint, tableName } = options;
  await createRoomTable(endpoint, tableName);
  return {
    endpoint,
    tableName,
    requestCounts: () => ({}),
    stop: async () => {
      const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
      await client.send(new DeleteTableCommand({ TableName: tableName })).finally(() => client.destroy());
    },
  };
}

/**
 * Starts dynalite in this process, in memory, on a loopback port, and creates the room table from the shared
 * schema (`createTableInput`), waiting until it is ACTIVE.
 */
export async function startDynamoDb(options: {
  tableName: string;
  host?: string;
  port?: number;
  /** Called as each request is answered, with when it arrived and when its answer was sent (epoch ms, precise). */
  onRequest?: DynamoDbRequestTrace;
}): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const requestCounts: Record<string, number> = {};
  const { onRequest } = options;
  server.on('request', (request, response) => {
    // Every DynamoDB API call is one POST whose X-Amz-Target names it: `DynamoDB_20120810.GetItem`.
    const operation =
      String(request.headers['x-amz-target'] ?? 'unknown')
        .split('.')
        .pop() ?? 'unknown';
    requestCounts[operation] = (requestCounts[operation] ?? 0) + 1;
    if (onRequest) {
      const arrivedAt = performance.timeOrigin + performance.now();
      response.once('finish', () => onRequest(operation, arrivedAt, performance.timeOrigin + performance.now()));
    }
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => resolve());
  });
  const stop = () =>
    new Promise<void>((resolve) => {
      server.closeAllConnections?.();
      server.close(() => resolve());
    });
  const { port } = server.address() as AddressInfo;
  const endpoint = `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
  try {
    await createRoomTable(endpoint, options.tableName);
  } catch (error) {
    await stop();
    throw error;
  }
  return { endpoint, tableName: options.tableName, requestCounts: () => ({ ...requestCounts }), stop };
}
