import type { AddressInfo } from 'node:net';
import { CreateTableCommand, DescribeTableCommand, DynamoDBClient } from '@aws-sdk/client-dynamodb';
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

/** A running in-memory DynamoDB-API server holding the room table. */
export interface LocalDynamoDb {
  endpoint: string;
  tableName: string;
  /** DynamoDB API requests served so far, by operation (e.g. `GetItem`): what benchmarks count at the server. */
  requestCounts(): Record<string, number>;
  stop(): Promise<void>;
}

/**
 * Starts dynalite in this process, in memory, on a loopback port, and creates the room table from the shared
 * schema (`createTableInput`), waiting until it is ACTIVE.
 */
export async function startDynamoDb(options: {
  tableName: string;
  host?: string;
  port?: number;
}): Promise<LocalDynamoDb> {
  const server = dynalite({ createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  const requestCounts: Record<string, number> = {};
  server.on('request', (request) => {
    // Every DynamoDB API call is one POST whose X-Amz-Target names it: `DynamoDB_20120810.GetItem`.
    const operation =
      String(request.headers['x-amz-target'] ?? 'unknown')
        .split('.')
        .pop() ?? 'unknown';
    requestCounts[operation] = (requestCounts[operation] ?? 0) + 1;
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
  const client = new DynamoDBClient({ endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
  try {
    await client.send(new CreateTableCommand(createTableInput(options.tableName)));
    const deadline = Date.now() + TABLE_ACTIVE_TIMEOUT_MS;
    for (;;) {
      const { Table } = await client.send(new DescribeTableCommand({ TableName: options.tableName }));
      if (Table?.TableStatus === 'ACTIVE') break;
      if (Date.now() > deadline) throw new Error(`Table ${options.tableName} is still ${Table?.TableStatus}`);
      await new Promise((resolve) => setTimeout(resolve, TABLE_POLL_INTERVAL_MS));
    }
  } catch (error) {
    await stop();
    throw error;
  } finally {
    client.destroy();
  }
  return { endpoint, tableName: options.tableName, requestCounts: () => ({ ...requestCounts }), stop };
}
