/**
 * The room table, defined once: the CDK stack and the local runtime both build their table from this.
 *
 * One table, two kinds of item, both under generic keys:
 * - a seat:       pk = `room#<roomId>`, sk = `seat#<0|1>` — a room's members are one Query on its partition;
 *                 capacity is enforced by conditional puts on the two seat items (no transactions needed).
 * - a connection: pk = `conn#<connectionId>`, sk = `conn` — maps a socket to its seat with one strongly
 *                 consistent GetItem. (A GSI on connectionId would be eventually consistent: a signal sent right
 *                 after `joined` could miss its own seat. So there is deliberately no secondary index.)
 * `expiresAt` (epoch seconds) is the TTL attribute; TTL deletion is lazy, so every read also filters on it.
 */
export const ROOM_TABLE_SCHEMA = {
  partitionKey: { name: 'pk', type: 'S' },
  sortKey: { name: 'sk', type: 'S' },
  timeToLiveAttribute: 'expiresAt',
  /** Secondary indexes: none, see above. Kept explicit so both sides agree. */
  globalSecondaryIndexes: [] as const,
} as const;

/** Key of the seat item `seat` of room `roomId`. */
export const seatKey = (roomId: string, seat: number) => ({ pk: `room#${roomId}`, sk: `seat#${seat}` });

/** Partition holding every seat of `roomId`. */
export const roomPartition = (roomId: string) => `room#${roomId}`;

/** Key of the item mapping a WebSocket connection to its seat. */
export const connectionKey = (connectionId: string) => ({ pk: `conn#${connectionId}`, sk: 'conn' });

/** CreateTable input for a DynamoDB-API server (the local runtime; the CDK stack maps the same schema). */
export function createTableInput(tableName: string) {
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST' as const,
    AttributeDefinitions: [
      { AttributeName: ROOM_TABLE_SCHEMA.partitionKey.name, AttributeType: ROOM_TABLE_SCHEMA.partitionKey.type },
      { AttributeName: ROOM_TABLE_SCHEMA.sortKey.name, AttributeType: ROOM_TABLE_SCHEMA.sortKey.type },
    ],
    KeySchema: [
      { AttributeName: ROOM_TABLE_SCHEMA.partitionKey.name, KeyType: 'HASH' as const },
      { AttributeName: ROOM_TABLE_SCHEMA.sortKey.name, KeyType: 'RANGE' as const },
    ],
  };
}
