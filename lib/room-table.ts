import { ROOM_TABLE_SCHEMA } from '@parley/signaling';
import { RemovalPolicy } from 'aws-cdk-lib';
import * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import { Construct } from 'constructs';
import { acknowledge } from './nag';

/** DynamoDB's attribute type for each key type letter the shared schema uses. */
const ATTRIBUTE_TYPES = {
  S: dynamodb.AttributeType.STRING,
  N: dynamodb.AttributeType.NUMBER,
  B: dynamodb.AttributeType.BINARY,
} as const;

/**
 * The table's on-demand ceiling, in request units per second. A call makes a few writes when someone joins and one
 * per member every 45 s (keepalive), and one strongly consistent read per signal: a personal deployment uses well
 * under 10 of each. The ceiling bounds what a flood can cost: 50 writes/s ≈ $82 a month at most, 100 reads/s ≈ $33.
 */
export const TABLE_MAX_WRITE_UNITS_PER_SECOND = 50;
export const TABLE_MAX_READ_UNITS_PER_SECOND = 100;

/** The DynamoDB table of rooms, seats and connections, built from the schema the local runtime uses too. */
export class RoomTable extends Construct {
  readonly table: dynamodb.Table;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    const { partitionKey, sortKey, timeToLiveAttribute } = ROOM_TABLE_SCHEMA;
    this.table = new dynamodb.Table(this, 'Table', {
      partitionKey: { name: partitionKey.name, type: ATTRIBUTE_TYPES[partitionKey.type] },
      sortKey: { name: sortKey.name, type: ATTRIBUTE_TYPES[sortKey.type] },
      // On-demand: a call is a handful of requests; provisioned capacity would cost money while idle.
      billingMode: dynamodb.BillingMode.PAY_PER_REQUEST,
      maxWriteRequestUnits: TABLE_MAX_WRITE_UNITS_PER_SECOND,
      maxReadRequestUnits: TABLE_MAX_READ_UNITS_PER_SECOND,
      timeToLiveAttribute,
      encryption: dynamodb.TableEncryption.AWS_MANAGED,
      // Rooms live minutes; nothing in the table is worth keeping after `cdk destroy`.
      removalPolicy: RemovalPolicy.DESTROY,
    });
    acknowledge(
      this.table,
      'AwsSolutions-DDB3',
      'Point-in-time recovery is pointless here: items are ephemeral call state (seats, connections) that expire within minutes.',
    );
  }
}
