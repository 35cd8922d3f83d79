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
