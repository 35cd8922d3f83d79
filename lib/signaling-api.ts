import type { AccessMode } from '@parley/protocol';
import {
  AUTHORIZER_ENTRY_POINT,
  HANDLER_ENTRY_POINTS,
  type HandlerName,
  ROUTE_SELECTION_EXPRESSION,
  SIGNALING_ENV,
} from '@parley/signaling';
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as apigw from 'aws-cdk-lib/aws-apigateway';
import * as apigwv2 from 'aws-cdk-lib/aws-apigatewayv2';
import { WebSocketLambdaAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { WebSocketLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import type * as dynamodb from 'aws-cdk-lib/aws-dynamodb';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as nodejs from 'aws-cdk-lib/aws-lambda-nodejs';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge, nagReference } from './nag';

/** The API Gateway stage clients connect to (part of the signaling URL). */
export const SIGNALING_STAGE_NAME = 'v1';

/** Signaling is a few small JSON messages; 256 MB buys a faster CPU share (cold starts delay call setup). */
export const HANDLER_MEMORY_MB = 256;

/** Well inside API Gateway's 29-second integration timeout; a handler does a few DynamoDB calls and posts. */
export const HANDLER_TIMEOUT = Duration.seconds(10);

/** The AWS managed policy API Gateway documents for its account-wide logging role. */
const API_GATEWAY_LOGS_POLICY = 'service-role/AmazonAPIGatewayPushToCloudWatchLogs';

/** The newest Node.js runtime aws-cdk-lib offers (cdk-nag's L1 checks that it stays the newest). */
export const HANDLER_RUNTIME = lambda.Runtime.NODEJS_24_X;

/** The DynamoDB calls the room store makes, and nothing else (no Scan: every read is by key). */
export const ROOM_TABLE_ACTIONS = [
  'dynamodb:GetItem',
  'dynamodb:PutItem',
  'dynamodb:UpdateItem',
  'dynamodb:DeleteItem',
  'dynamodb:Query',
] as const;

/** The management API calls the handlers make on connections: post a message, check it, drop it. */
export const CONNECTION_METHODS = ['POST', 'GET', 'DELETE'] as const;

/** The functions of the API: the three route handlers, and the `$connect` authorizer of a private deployment. */
type FunctionName = HandlerName | 'authorizer';

/**
 * What each function may touch. The authorizer only reads the owner key; `$connect` only checks the protocol version,
 * `$disconnect` frees the seat and tells the peer, only `$default` (join) issues TURN credentials and so reads the
 * TURN secret.
 */
const FUNCTION_ACCESS: Record<
  FunctionName,
  { roomTable: boolean; connections: boolean; turnSecret: boolean; ownerKey: boolean }
> = {
  authorizer: { roomTable: false, connections: false, turnSecret: false, ownerKey: true },
  connect: { roomTable: false, connections: false, turnSecret: false, ownerKey: false },
  disconnect: { roomTable: true, connections: true, turnSecret: false, ownerKey: false },
  message: { roomTable: true, connections: true, turnSecret: true, ownerKey: false },
};

export interface SignalingApiProps {
  readonly table: dynamodb.ITable;
  readonly turnSecret: secretsmanager.ISecret;
  /** TURN URLs handed to clients with their credentials. */
  readonly turnUrls: string[];
  readonly turnCredentialTtlSeconds: number;
  readonly throttle: { rateLimit: number; burstLimit: number };
  readonly logRetention: logs.RetentionDays;
  /**
   * Whether to set API Gateway's account-wide CloudWatch role, which WebSocket access logging requires (see
   * README, Configuration: a fresh account has none; an account that has one can keep it).
   */
  readonly createApiGatewayLogRole: boolean;
  /**
   * The owner key of a private deployment: a `$connect` authorizer (the only reader of the key) checks invitation
   * tickets against it. Without one the deployment is open: anyone with the site URL connects.
   */
  readonly ownerKey?: secretsmanager.ISecret;
  /** The longest a guest ticket may be valid. */
  readonly inviteValidityHours: number;
  /** Reserved (and maximum) concurrent executions of each function; 0 reserves none. */
  readonly concurrency: number;
}

/** The signaling WebSocket API: three routes, one small Lambda function each, a throttled and logged stage. */
export class SignalingApi extends Construct {
  readonly api: apigwv2.WebSocketApi;
  readonly stage: apigwv2.WebSocketStage;
  readonly functions: Record<HandlerName, nodejs.NodejsFunction>;
  /** The `$connect` authorizer's function, on a private deployment. */
  readonly authorizerFunction: nodejs.NodejsFunction | undefined;

  constructor(scope: Construct, id: string, props: SignalingApiProps) {
    super(scope, id);
    const stack = Stack.of(this);

    this.api = new apigwv2.WebSocketApi(this, 'Api', {
      apiName: `${stack.stackName}-signaling`,
      description: 'Parley signaling: rooms, offers/answers, ICE candidates',
      routeSelectionExpression: ROUTE_SELECTION_EXPRESSION,
    });

    const accessLogs = new logs.LogGroup(this, 'AccessLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    this.stage = new apigwv2.WebSocketStage(this, 'Stage', {
      webSocketApi: this.api,
      stageName: SIGNALING_STAGE_NAME,
      autoDeploy: true,
      throttle: props.throttle,
      // The default WebSocket format: caller, time, event, route, connection id, status — never message bodies.
      accessLogSettings: { destination: new apigwv2.LogGroupLogDestination(accessLogs) },
    });
    if (props.createApiGatewayLogRole) this.stage.node.addDependency(this.setAccountLogRole());

    const access: AccessMode = props.ownerKey ? 'private' : 'open';
    const accessEnvironment = {
      [SIGNALING_ENV.accessMode]: access,
      [SIGNALING_ENV.inviteValidityHours]: String(props.inviteValidityHours),
    };
    const environment = {
      [SIGNALING_ENV.tableName]: props.table.tableName,
      [SIGNALING_ENV.managementEndpoint]: this.stage.callbackUrl,
      [SIGNALING_ENV.turnSecretArn]: props.turnSecret.secretArn,
      [SIGNALING_ENV.turnUrls]: props.turnUrls.join(','),
      [SIGNALING_ENV.turnCredentialTtlSeconds]: String(props.turnCredentialTtlSeconds),
      ...accessEnvironment,
      // Stack traces point into our sources, not into the minified bundle.
      NODE_OPTIONS: '--enable-source-maps',
    };

    this.authorizerFunction = props.ownerKey
      ? this.createHandler(
          'authorizer',
          AUTHORIZER_ENTRY_POINT.file,
          {
            ...accessEnvironment,
            [SIGNALING_ENV.ownerKeySecretArn]: props.ownerKey.secretArn,
            NODE_OPTIONS: '--enable-source-maps',
          },
          props,
        )
      : undefined;
    const authorizer = this.authorizerFunction
      ? new WebSocketLambdaAuthorizer('TicketAuthorizer', this.authorizerFunction, {
          identitySource: [...AUTHORIZER_ENTRY_POINT.identitySource],
        })
      : undefined;

    const functions: Partial<Record<HandlerName, nodejs.NodejsFunction>> = {};
    for (const [name, entry] of Object.entries(HANDLER_ENTRY_POINTS) as [
      HandlerName,
      (typeof HANDLER_ENTRY_POINTS)[HandlerName],
    ][]) {
      const handler = this.createHandler(name, entry.file, environment, props);
      this.api.addRoute(entry.routeKey, {
        integration: new WebSocketLambdaIntegration(`${name}-integration`, handler),
        ...(entry.routeKey === '$connect' && authorizer ? { authorizer } : {}),
      });
      functions[name] = handler;
    }
    this.functions = functions as Record<HandlerName, nodejs.NodejsFunction>;

    for (const { routeKey } of Object.values(HANDLER_ENTRY_POINTS)) {
      if (routeKey === '$connect' && authorizer) continue;
      acknowledge(
        this.api.node.findChild(`${routeKey}-Route`),
        'AwsSolutions-APIG4',
        access === 'private'
          ? 'API Gateway runs WebSocket authorizers on $connect only: a connection exists only after the $connect Lambda authorizer accepted an invitation ticket signed with the owner key, and every message is checked again against the room of that ticket.'
          : 'access=open, chosen by the owner for a public demo: anyone with the site URL may connect (README, Security model, states the worst-case cost); the stage is throttled.',
      );
    }
  }

  /** The `wss://` URL clients connect to. */
  get url(): string {
    return this.stage.url;
  }

  private createHandler(
    name: FunctionName,
    entry: string,
    environment: Record<string, string>,
    props: SignalingApiProps,
  ): nodejs.NodejsFunction {
    const logGroup = new logs.LogGroup(this, `${name}-logs`, {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole: it may write to this log group only.
    const role = new iam.Role(this, `${name}-role`, {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: `Parley signaling ${name} handler`,
    });
    role.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [logGroup.logGroupArn],
      }),
    );
    const access = FUNCTION_ACCESS[name];
    if (access.roomTable) {
      role.addToPolicy(
        new iam.PolicyStatement({ actions: [...ROOM_TABLE_ACTIONS], resources: [props.table.tableArn] }),
      );
    }
    if (access.connections) {
      const connectionArns = CONNECTION_METHODS.map((method) =>
        this.api.arnForExecuteApiV2(`${method}/@connections/*`, this.stage.stageName),
      );
      role.addToPolicy(
        new iam.PolicyStatement({ actions: ['execute-api:ManageConnections'], resources: connectionArns }),
      );
      for (const method of CONNECTION_METHODS) {
        const arn = `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:${nagReference(this.api)}/${this.stage.stageName}/${method}/@connections/*`;
        acknowledge(
          role,
          `AwsSolutions-IAM5[Resource::${arn}]`,
          'Connection ids exist only at run time; the wildcard covers connections of this API stage, one method each.',
        );
      }
    }
    if (access.turnSecret) props.turnSecret.grantRead(role);
    if (access.ownerKey) props.ownerKey?.grantRead(role);

    return new nodejs.NodejsFunction(this, `${name}-handler`, {
      description:
        name === 'authorizer'
          ? 'Parley signaling: $connect authorizer (invitation tickets)'
          : `Parley signaling: ${HANDLER_ENTRY_POINTS[name].routeKey} route`,
      entry,
      handler: 'handler',
      runtime: HANDLER_RUNTIME,
      architecture: lambda.Architecture.ARM_64,
      memorySize: HANDLER_MEMORY_MB,
      timeout: HANDLER_TIMEOUT,
      role,
      logGroup,
      environment,
      // A flood cannot run up more Lambda time than this many at once (0: no reservation, see README).
      ...(props.concurrency > 0 ? { reservedConcurrentExecutions: props.concurrency } : {}),
      bundling: {
        format: nodejs.OutputFormat.ESM,
        target: 'node24',
        minify: true,
        sourceMap: true,
        sourcesContent: false,
        mainFields: ['module', 'main'],
        // Bundled CommonJS dependencies call require() for Node built-ins, which ESM output lacks.
        banner: "import { createRequire } from 'node:module'; const require = createRequire(import.meta.url);",
      },
    });
  }

  /** API Gateway refuses a WebSocket stage with logging unless the account names a CloudWatch role. */
  private setAccountLogRole(): Construct {
    const role = new iam.Role(this, 'ApiGatewayLogRole', {
      assumedBy: new iam.ServicePrincipal('apigateway.amazonaws.com'),
      description: 'API Gateway account setting: lets API Gateway write stage logs to CloudWatch',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(API_GATEWAY_LOGS_POLICY)],
    });
    acknowledge(
      role,
      `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${API_GATEWAY_LOGS_POLICY}]`,
      'The AWS-documented policy for the API Gateway account logging role; API Gateway names its own log groups, so it cannot be scoped tighter.',
    );
    return new apigw.CfnAccount(this, 'ApiGatewayAccount', { cloudWatchRoleArn: role.roleArn });
  }
}
