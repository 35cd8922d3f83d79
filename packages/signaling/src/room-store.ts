import { ConditionalCheckFailedException, type DynamoDBClient } from '@aws-sdk/client-dynamodb';
import {
  DeleteCommand,
  DynamoDBDocumentClient,
  GetCommand,
  PutCommand,
  QueryCommand,
  UpdateCommand,
} from '@aws-sdk/lib-dynamodb';
import type { ParkedSignal, Role } from '@parley/protocol';
import { connectionKey, ROOM_TABLE_SCHEMA, roomPartition, seatKey } from './table-schema';

/** A seat of a room: who holds it, through which socket (none while its owner reconnects), until when. */
export interface Seat {
  roomId: string;
  seat: number;
  memberId: string;
  role: Role;
  name?: string;
  /** SHA-256 (hex) of the resume token; the token itself is never stored. */
  resumeHash: string;
  /** Absent while the owner's socket is gone and the seat is held for resume. */
  connectionId?: string;
  joinedAt: number;
  /** Epoch seconds; the seat counts as empty after this (also the table's TTL attribute). */
  expiresAt: number;
  /** The offer its member parked while waiting alone (see the `park` message); stored as JSON. */
  parked?: ParkedSignal;
  /** The invitation (ticket id) the seat was taken with, on a private deployment: one seat per guest link. */
  ticketId?: string;
}

/** Maps a WebSocket connection to the seat it holds. */
export interface ConnectionRecord {
  connectionId: string;
  roomId: string;
  seat: number;
  memberId: string;
  expiresAt: number;
}

const TTL = ROOM_TABLE_SCHEMA.timeToLiveAttribute;

/** True when the conditional write lost (the normal outcome of a lost race, not an error). */
function lostRace(error: unknown): boolean {
  return (
    error instanceof ConditionalCheckFailedException || (error as Error)?.name === 'ConditionalCheckFailedException'
  );
}

/** The item for a seat: its key, and the parked offer as JSON. */
function toItem(seat: Seat): Record<string, unknown> {
  const { parked, ...rest } = seat;
  return { ...seatKey(seat.roomId, seat.seat), ...rest, ...(parked ? { parked: JSON.stringify(parked) } : {}) };
}

/** A seat as stored: the parked offer is one JSON string attribute (the server never looks inside it). */
function toSeat(item: Record<string, unknown>): Seat {
  const { pk: _pk, sk: _sk, parked, ...rest } = item;
  const seat = rest as unknown as Seat;
  return typeof parked === 'string' ? { ...seat, parked: JSON.parse(parked) as ParkedSignal } : seat;
}

/** All DynamoDB access of the signaling service. Room members are read with one Query on the room's partition. */
export class RoomStore {
  private readonly doc: DynamoDBDocumentClient;

  constructor(
    client: DynamoDBClient,
    private readonly tableName: string,
  ) {
    this.doc = DynamoDBDocumentClient.from(client, { marshallOptions: { removeUndefinedValues: true } });
  }

  /** Every seat item of a room, expired ones included (TTL deletion is lazy; callers decide what is live). */
  async listSeats(roomId: string): Promise<Seat[]> {
    const result = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'pk = :pk',
        ExpressionAttributeValues: { ':pk': roomPartition(roomId) },
        ConsistentRead: true,
      }),
    );
    return (result.Items ?? []).map(toSeat);
  }

  /**
   * Takes seat `seat.seat` if it is empty or expired. Atomic: of any number of concurrent callers for one seat,
   * exactly one wins. Returns the expired seat it replaced, if any, so its peer can be told.
   */
  async claimSeat(seat: Seat, nowSeconds: number): Promise<{ claimed: boolean; replaced?: Seat }> {
    try {
      const result = await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: toItem(seat),
          ConditionExpression: 'attribute_not_exists(pk) OR #ttl < :now',
          ExpressionAttributeNames: { '#ttl': TTL },
          ExpressionAttributeValues: { ':now': nowSeconds },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return result.Attributes ? { claimed: true, replaced: toSeat(result.Attributes) } : { claimed: true };
    } catch (error) {
      if (lostRace(error)) return { claimed: false };
      throw error;
    }
  }

  /** Binds a held seat to a new connection, if the member and resume token match and the seat has not expired. */
  async resumeSeat(
    roomId: string,
    seat: number,
    memberId: string,
    resumeHash: string,
    connectionId: string,
    expiresAt: number,
    nowSeconds: number,
  ): Promise<Seat | undefined> {
    try {
      const result = await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: seatKey(roomId, seat),
          // An offer parked before (see `park`) may belong to a page that is gone: whoever resumes parks anew.
          UpdateExpression: 'SET connectionId = :conn, #ttl = :exp REMOVE parked',
          ConditionExpression: 'memberId = :member AND resumeHash = :hash AND #ttl >= :now',
          ExpressionAttributeNames: { '#ttl': TTL },
          ExpressionAttributeValues: {
            ':conn': connectionId,
            ':exp': expiresAt,
            ':member': memberId,
            ':hash': resumeHash,
            ':now': nowSeconds,
          },
          ReturnValues: 'ALL_OLD',
        }),
      );
      return result.Attributes ? toSeat(result.Attributes) : undefined;
    } catch (error) {
      if (lostRace(error)) return undefined;
      throw error;
    }
  }

  /** Extends the lease of a seat still held through `connectionId`. False when the seat is no longer this socket's. */
  async renewSeat(roomId: string, seat: number, connectionId: string, expiresAt: number): Promise<boolean> {
    return this.conditionalUpdate(roomId, seat, 'SET #ttl = :exp', connectionId, { ':exp': expiresAt });
  }

  /** Leaves an offer with a seat still held through `connectionId`, replacing any parked before. */
  async parkOffer(roomId: string, seat: number, connectionId: string, parked: ParkedSignal): Promise<boolean> {
    return this.conditionalUpdate(roomId, seat, 'SET parked = :parked', connectionId, {
      ':parked': JSON.stringify(parked),
    });
  }

  /** Removes the offer a member parked (someone joined: it was for them). */
  async clearParked(roomId: string, seat: number, memberId: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: seatKey(roomId, seat),
          UpdateExpression: 'REMOVE parked',
          ConditionExpression: 'memberId = :member',
          ExpressionAttributeValues: { ':member': memberId },
        }),
      );
    } catch (error) {
      if (!lostRace(error)) throw error;
    }
  }

  /** The socket closed: keep the seat for `holdUntil` so its owner can resume it, but unbind the socket. */
  async holdSeat(roomId: string, seat: number, connectionId: string, holdUntil: number): Promise<boolean> {
    return this.conditionalUpdate(roomId, seat, 'SET #ttl = :exp REMOVE connectionId', connectionId, {
      ':exp': holdUntil,
    });
  }

  private async conditionalUpdate(
    roomId: string,
    seat: number,
    update: string,
    connectionId: string,
    values: Record<string, unknown>,
  ): Promise<boolean> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: seatKey(roomId, seat),
          UpdateExpression: update,
          ConditionExpression: 'connectionId = :conn',
          // DynamoDB refuses names an expression does not use.
          ...(update.includes('#ttl') ? { ExpressionAttributeNames: { '#ttl': TTL } } : {}),
          ExpressionAttributeValues: { ':conn': connectionId, ...values },
        }),
      );
      return true;
    } catch (error) {
      if (lostRace(error)) return false;
      throw error;
    }
  }

  /** Frees a seat if it is still held by `memberId` (and, when given, through `connectionId`). */
  async releaseSeat(roomId: string, seat: number, memberId: string, connectionId?: string): Promise<boolean> {
    const byConnection = connectionId === undefined ? '' : ' AND connectionId = :conn';
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: seatKey(roomId, seat),
          ConditionExpression: `memberId = :member${byConnection}`,
          ExpressionAttributeValues:
            connectionId === undefined ? { ':member': memberId } : { ':member': memberId, ':conn': connectionId },
        }),
      );
      return true;
    } catch (error) {
      if (lostRace(error)) return false;
      throw error;
    }
  }

  /** The seat a connection holds, read with strong consistency; undefined when unknown or expired. */
  async getConnection(connectionId: string, nowSeconds: number): Promise<ConnectionRecord | undefined> {
    const result = await this.doc.send(
      new GetCommand({ TableName: this.tableName, Key: connectionKey(connectionId), ConsistentRead: true }),
    );
    const item = result.Item as (ConnectionRecord & Record<string, unknown>) | undefined;
    if (!item || item.expiresAt < nowSeconds) return undefined;
    return {
      connectionId,
      roomId: item.roomId,
      seat: item.seat,
      memberId: item.memberId,
      expiresAt: item.expiresAt,
    };
  }

  /**
   * Binds a connection to a new seat unless it is already bound to a live one (a duplicated `join` delivered twice,
   * handled at once): of concurrent callers for one connection exactly one wins. False for the others.
   */
  async bindConnection(record: ConnectionRecord, nowSeconds: number): Promise<boolean> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...connectionKey(record.connectionId), ...record },
          ConditionExpression: 'attribute_not_exists(pk) OR expiresAt < :now',
          ExpressionAttributeValues: { ':now': nowSeconds },
        }),
      );
      return true;
    } catch (error) {
      if (lostRace(error)) return false;
      throw error;
    }
  }

  async putConnection(record: ConnectionRecord): Promise<void> {
    await this.doc.send(
      new PutCommand({ TableName: this.tableName, Item: { ...connectionKey(record.connectionId), ...record } }),
    );
  }

  async deleteConnection(connectionId: string): Promise<void> {
    await this.doc.send(new DeleteCommand({ TableName: this.tableName, Key: connectionKey(connectionId) }));
  }
}
