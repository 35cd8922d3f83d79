/**
 * The local system on a DynamoDB-API server it did not start (as with AWS's DynamoDB Local): it creates its own room
 * table there, the handlers store in it, and stopping removes the table but leaves the server alone.
 */
import { DynamoDBClient, ListTablesCommand } from '@aws-sdk/client-dynamodb';
import { createRoomId } from '@parley/protocol';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LOCAL_CREDENTIALS, LOCAL_REGION, type LocalDynamoDb, startDynamoDb } from './dynamodb';
import { LOCAL_TABLE_NAME, startLocalSystem } from './local-system';
import { TestClient } from './test-client';

let server: LocalDynamoDb;
let client: DynamoDBClient;

beforeAll(async () => {
  // Stands in for the external server; the system under test only gets its endpoint.
  server = await startDynamoDb({ tableName: 'someone-elses-table' });
  client = new DynamoDBClient({ endpoint: server.endpoint, region: LOCAL_REGION, credentials: LOCAL_CREDENTIALS });
});

afterAll(async () => {
  client?.destroy();
  await server?.stop();
});

async function tableNames(): Promise<string[]> {
  return (await client.send(new ListTablesCommand({}))).TableNames ?? [];
}

describe('when the local system is given an external DynamoDB-API endpoint', () => {
  it('should create its own room table there, seat members in it, and delete only that table on stop', async () => {
    const system = await startLocalSystem({
      dynamodbEndpoint: server.endpoint,
      access: 'open',
      turn: 'off',
      site: false,
      logLevel: 'SILENT',
    });
    let member: TestClient | undefined;
    try {
      expect(system.dynamodbEndpoint).toBe(server.endpoint);
      expect(system.tableName.startsWith(`${LOCAL_TABLE_NAME}-`)).toBe(true);
      expect(await tableNames()).toEqual(expect.arrayContaining([system.tableName, 'someone-elses-table']));
      member = await TestClient.connect(system.signalingUrl);
      const joined = await member.join(createRoomId());
      expect(joined.role).toBe('impolite');
    } finally {
      await member?.close();
      await system.stop();
    }
    expect(await tableNames()).toEqual(['someone-elses-table']);
  });
});
