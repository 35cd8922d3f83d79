import { existsSync, mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  contentSecurityPolicy,
  DEFAULT_INVITE_VALIDITY_HOURS,
  HSTS_MAX_AGE_SECONDS,
  OWNER_KEY_LENGTH,
  SITE_CONFIG_PATH,
} from '@parley/protocol';
import {
  AUTHORIZER_ENTRY_POINT,
  HANDLER_ENTRY_POINTS,
  ROOM_TABLE_SCHEMA,
  ROUTE_SELECTION_EXPRESSION,
  SIGNALING_ENV,
} from '@parley/signaling';
import { renderTurnHostUserData, TURN_DEFAULT_REALM, TURN_TCP_FALLBACK_PORT } from '@parley/turn';
import { App, Stack } from 'aws-cdk-lib';
import { Annotations, Match, Template } from 'aws-cdk-lib/assertions';
import * as lambda from 'aws-cdk-lib/aws-lambda';
import * as s3 from 'aws-cdk-lib/aws-s3';
import { AwsSolutionsChecks } from 'cdk-nag';
import { afterAll, describe, expect, it } from 'vitest';
import { CONTEXT_PREFIX, DEFAULT_HANDLER_CONCURRENCY, type ParleyConfig, parseParleyConfig } from './config';
import { ACTUAL_ALERT_PERCENT, FORECAST_ALERT_PERCENT } from './cost-alarm';
import { OWNER_KEY_OUTPUT, ParleyStack } from './parley-stack';
import { TABLE_MAX_READ_UNITS_PER_SECOND, TABLE_MAX_WRITE_UNITS_PER_SECOND } from './room-table';
import { CONNECTION_METHODS, HANDLER_RUNTIME, ROOM_TABLE_ACTIONS, SIGNALING_STAGE_NAME } from './signaling-api';
import { HASHED_ASSET_CACHE_CONTROL, PAGE_CACHE_CONTROL } from './site';
import { TURN_VPC_CIDR, UBUNTU_AMI_PARAMETER } from './turn-server';

/**
 * One synth per configuration, shared by every assertion (the first synth in a process costs seconds). Bundling is
 * skipped, and each cloud assembly goes to a temp folder that is removed afterwards.
 */
const workDirectory = mkdtempSync(join(tmpdir(), 'parley-cdk-test-'));
afterAll(() => rmSync(workDirectory, { recursive: true, force: true }));

/** A stand-in for the Vite build: a page and one hashed asset. */
const clientDist = join(workDirectory, 'client-dist');
mkdirSync(join(clientDist, 'assets'), { recursive: true });
writeFileSync(join(clientDist, 'index.html'), '<!doctype html><title>Parley</title>');
writeFileSync(join(clientDist, 'assets', 'index-abc123.js'), 'console.log("parley")');

/** The context of cdk.json (the feature flags among it), so tests check the template `cdk deploy` makes. */
const CDK_JSON_CONTEXT = JSON.parse(readFileSync(fileURLToPath(new URL('../cdk.json', import.meta.url)), 'utf8'))
  .context as Record<string, unknown>;

let synthCount = 0;
/**
 * Synthesizes the stack with these Parley settings (as `parley:` context keys). `clientDistPath` null: no prebuilt
 * client, the stack builds it (as `cdk deploy` does). `cdkContext` adds other context (e.g. to turn bundling on).
 */
function synth(
  settings: Record<string, unknown>,
  clientDistPath: string | null = clientDist,
  cdkContext: Record<string, unknown> = {},
) {
  const outdir = join(workDirectory, `cdk.out.${synthCount++}`);
  const context = Object.fromEntries(
    Object.entries(settings).map(([name, value]) => [`${CONTEXT_PREFIX}${name}`, value]),
  );
  const app = new App({
    outdir,
    context: { ...CDK_JSON_CONTEXT, 'aws:cdk:bundling-stacks': [], ...context, ...cdkContext },
  });
  const config: ParleyConfig = parseParleyConfig(context);
  const stack = new ParleyStack(app, 'Parley', { config, ...(clientDistPath ? { clientDistPath } : {}) });
  const template = Template.fromStack(stack);
  return { app, stack, config, template, json: template.toJSON() as CfnTemplate, outdir };
}

interface CfnResource {
  Type: string;
  Properties?: Record<string, unknown>;
  DeletionPolicy?: string;
  UpdateReplacePolicy?: string;
}
interface CfnTemplate {
  Resources: Record<string, CfnResource>;
  Outputs: Record<string, { Value: unknown }>;
  Parameters: Record<string, { Type: string; Default?: string }>;
}

/**
 * A CloudFormation value as text, with every reference written `<LogicalId>` or `<LogicalId.Attribute>`, the way
 * cdk-nag names them; lets a test compare a whole joined string at once.
 */
function render(value: unknown): string {
  if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') return String(value);
  const object = value as Record<string, unknown>;
  if ('Ref' in object) return `<${object.Ref}>`;
  if ('Fn::GetAtt' in object) return `<${(object['Fn::GetAtt'] as string[]).join('.')}>`;
  if ('Fn::Join' in object) {
    const [separator, parts] = object['Fn::Join'] as [string, unknown[]];
    return parts.map(render).join(separator);
  }
  if ('Fn::Base64' in object) return render(object['Fn::Base64']);
  throw new Error(`Cannot render ${JSON.stringify(value)}`);
}

/** A property that must be there: a missing one fails the test with its name rather than a TypeError. */
function prop(resource: CfnResource | undefined, key: string): unknown {
  const value = resource?.Properties?.[key];
  if (value === undefined) throw new Error(`Missing property ${key} in ${JSON.stringify(resource)?.slice(0, 200)}`);
  return value;
}

const instanceIdOf = (json: CfnTemplate) =>
  Object.entries(json.Resources).find(([, resource]) => resource.Type === 'AWS::EC2::Instance')?.[0];

const resourcesOf = (json: CfnTemplate, type: string) =>
  Object.entries(json.Resources).filter(([, resource]) => resource.Type === type);

function onlyResource(json: CfnTemplate, type: string): [string, CfnResource] {
  const found = resourcesOf(json, type);
  expect(found, type).toHaveLength(1);
  return found[0] as [string, CfnResource];
}

/** Every statement of the inline policies attached to a role (by the role's logical id). */
function statementsOfRole(json: CfnTemplate, roleId: string): Record<string, unknown>[] {
  return resourcesOf(json, 'AWS::IAM::Policy')
    .filter(([, policy]) => (prop(policy, 'Roles') as unknown[]).some((role) => render(role) === `<${roleId}>`))
    .flatMap(([, policy]) => (prop(policy, 'PolicyDocument') as { Statement: Record<string, unknown>[] }).Statement);
}

/** Statements as `action[,action…] -> resource[,resource…]` lines, so a test can state a policy exactly. */
function grants(statements: Record<string, unknown>[]): string[] {
  return statements.map((statement) => {
    expect(statement.Effect).toBe('Allow');
    const actions = [statement.Action].flat().join(',');
    const resources = [statement.Resource].flat().map(render).join(',');
    return `${actions} -> ${resources}`;
  });
}

const API = '<SignalingApiF354EF61>';
const connectionArn = (method: string) =>
  `arn:<AWS::Partition>:execute-api:<AWS::Region>:<AWS::AccountId>:${API}/${SIGNALING_STAGE_NAME}/${method}/@connections/*`;
const SIGNALING_WSS_ORIGIN = `wss://${API}.execute-api.<AWS::Region>.<AWS::URLSuffix>`;

describe('ParleyStack with the default settings', () => {
  const { stack, template, json, config, outdir, app } = synth({});
  const handlerIds = Object.fromEntries(
    Object.entries(HANDLER_ENTRY_POINTS).map(([name, entry]) => {
      const [id] = resourcesOf(json, 'AWS::Lambda::Function').find(
        ([, fn]) => fn.Properties?.Description === `Parley signaling: ${entry.routeKey} route`,
      ) ?? [''];
      return [name, id];
    }),
  ) as Record<keyof typeof HANDLER_ENTRY_POINTS, string>;
  const roleOf = (functionId: string) =>
    render(json.Resources[functionId]?.Properties?.Role).replace(/^<(.*)\.Arn>$/, '$1');

  describe('when looking at signaling', () => {
    it('should be a WebSocket API selecting routes by the shared expression', () => {
      template.hasResourceProperties('AWS::ApiGatewayV2::Api', {
        ProtocolType: 'WEBSOCKET',
        RouteSelectionExpression: ROUTE_SELECTION_EXPRESSION,
      });
    });

    it('should route $connect, $disconnect and $default, each to its own handler', () => {
      const routes = resourcesOf(json, 'AWS::ApiGatewayV2::Route').map(([, route]) => route.Properties?.RouteKey);
      expect(routes.sort()).toEqual(
        Object.values(HANDLER_ENTRY_POINTS)
          .map((entry) => entry.routeKey)
          .sort(),
      );
      for (const [name, entry] of Object.entries(HANDLER_ENTRY_POINTS)) {
        const route = resourcesOf(json, 'AWS::ApiGatewayV2::Route').find(
          ([, r]) => r.Properties?.RouteKey === entry.routeKey,
        );
        const integrationId = render(route?.[1].Properties?.Target).match(/<(\w+)>/)?.[1] ?? '';
        const uri = render(json.Resources[integrationId]?.Properties?.IntegrationUri);
        expect(uri).toContain(`<${handlerIds[name as keyof typeof HANDLER_ENTRY_POINTS]}.Arn>`);
      }
    });

    it('should throttle the stage as configured and write access logs to a log group with retention', () => {
      const [, stage] = onlyResource(json, 'AWS::ApiGatewayV2::Stage');
      expect(stage.Properties).toMatchObject({
        StageName: SIGNALING_STAGE_NAME,
        AutoDeploy: true,
        DefaultRouteSettings: { ThrottlingRateLimit: config.throttleRate, ThrottlingBurstLimit: config.throttleBurst },
      });
      const destination = render((prop(stage, 'AccessLogSettings') as { DestinationArn: unknown }).DestinationArn);
      const logGroupId = destination.replace(/^<(.*)\.Arn>$/, '$1');
      expect(json.Resources[logGroupId]?.Type).toBe('AWS::Logs::LogGroup');
      expect(json.Resources[logGroupId]?.Properties?.RetentionInDays).toBe(config.logRetentionDays);
    });

    it('should set the account’s API Gateway logging role, which WebSocket access logs require', () => {
      const [, account] = onlyResource(json, 'AWS::ApiGateway::Account');
      const roleId = render(account.Properties?.CloudWatchRoleArn).replace(/^<(.*)\.Arn>$/, '$1');
      expect(json.Resources[roleId]?.Type).toBe('AWS::IAM::Role');
    });

    it(`should run each handler on arm64 with ${HANDLER_RUNTIME.name}, the newest Node.js runtime aws-cdk-lib offers`, () => {
      const nodeVersions = Object.values(lambda.Runtime)
        .filter((runtime): runtime is lambda.Runtime => runtime instanceof lambda.Runtime)
        .map((runtime) => /^nodejs(\d+)\.x$/.exec(runtime.name)?.[1])
        .filter((version): version is string => version !== undefined)
        .map(Number);
      expect(HANDLER_RUNTIME.name).toBe(`nodejs${Math.max(...nodeVersions)}.x`);
      for (const id of Object.values(handlerIds)) {
        expect(json.Resources[id]?.Properties).toMatchObject({
          Runtime: HANDLER_RUNTIME.name,
          Architectures: ['arm64'],
        });
      }
    });

    it('should give each handler the table, management endpoint, secret ARN and TURN URLs', () => {
      for (const id of Object.values(handlerIds)) {
        const variables = (prop(json.Resources[id], 'Environment') as { Variables: Record<string, unknown> }).Variables;
        expect(render(variables[SIGNALING_ENV.tableName])).toBe('<RoomsTableAE5AE38B>');
        expect(render(variables[SIGNALING_ENV.managementEndpoint])).toBe(
          `https://${API}.execute-api.<AWS::Region>.<AWS::URLSuffix>/${SIGNALING_STAGE_NAME}`,
        );
        expect(render(variables[SIGNALING_ENV.turnSecretArn])).toBe('<TurnSecret7AD0C540>');
        expect(render(variables[SIGNALING_ENV.turnUrls])).toBe(
          'turn:<TurnElasticIpC329870D.PublicIp>:3478?transport=udp,turn:<TurnElasticIpC329870D.PublicIp>:3478?transport=tcp,turn:<TurnElasticIpC329870D.PublicIp>:443?transport=tcp',
        );
        expect(variables[SIGNALING_ENV.turnCredentialTtlSeconds]).toBe(String(config.turnCredentialTtlSeconds));
        expect(variables[SIGNALING_ENV.turnSecret]).toBeUndefined();
      }
    });

    it('should log each handler to its own log group with the configured retention', () => {
      for (const id of Object.values(handlerIds)) {
        const logGroupId = render((prop(json.Resources[id], 'LoggingConfig') as { LogGroup: unknown }).LogGroup).slice(
          1,
          -1,
        );
        expect(json.Resources[logGroupId]?.Properties?.RetentionInDays).toBe(config.logRetentionDays);
      }
    });

    it('should grant each handler exactly what it uses, on these resources only', () => {
      const logs = (name: string) => `logs:CreateLogStream,logs:PutLogEvents -> <Signaling${name}logs`;
      // With the @aws-cdk/aws-iam:minimizePolicies flag, CDK sorts actions and resources and merges statements.
      const table = `${[...ROOM_TABLE_ACTIONS].sort().join(',')} -> <RoomsTableAE5AE38B.Arn>`;
      const connections = `execute-api:ManageConnections -> ${CONNECTION_METHODS.map(connectionArn).sort().join(',')}`;
      const secret = 'secretsmanager:DescribeSecret,secretsmanager:GetSecretValue -> <TurnSecret7AD0C540>';
      const policy = (name: keyof typeof HANDLER_ENTRY_POINTS) =>
        grants(statementsOfRole(json, roleOf(handlerIds[name])));
      expect(policy('connect')).toEqual([
        expect.stringMatching(new RegExp(`^${escapeRegExp(logs('connect'))}\\w+\\.Arn>$`)),
      ]);
      expect(policy('disconnect')).toEqual([
        expect.stringMatching(new RegExp(`^${escapeRegExp(logs('disconnect'))}\\w+\\.Arn>$`)),
        table,
        connections,
      ]);
      expect(policy('message')).toEqual([
        expect.stringMatching(new RegExp(`^${escapeRegExp(logs('message'))}\\w+\\.Arn>$`)),
        table,
        connections,
        secret,
      ]);
    });

    it('should attach no managed policy to a handler role', () => {
      for (const id of Object.values(handlerIds)) {
        expect(json.Resources[roleOf(id)]?.Properties?.ManagedPolicyArns).toBeUndefined();
      }
    });
  });

  describe('when looking at who may connect (private by default)', () => {
    const [authorizerFnId] = resourcesOf(json, 'AWS::Lambda::Function').find(
      ([, fn]) => fn.Properties?.Description === 'Parley signaling: $connect authorizer (invitation tickets)',
    ) ?? [''];
    const [ownerKeyId, ownerKey] = resourcesOf(json, 'AWS::SecretsManager::Secret').find(([, secret]) =>
      String(secret.Properties?.Description).includes('owner key'),
    ) ?? ['', undefined];

    it('should generate the owner key at deploy time, in the shape tickets are signed with', () => {
      expect(ownerKey?.Properties?.GenerateSecretString).toMatchObject({
        PasswordLength: OWNER_KEY_LENGTH,
        ExcludePunctuation: true,
        IncludeSpace: false,
      });
      expect(ownerKey?.Properties?.SecretString).toBeUndefined();
    });

    it('should check tickets on $connect with a REQUEST authorizer reading the ticket and room from the query', () => {
      const [authorizerId, authorizer] = onlyResource(json, 'AWS::ApiGatewayV2::Authorizer');
      expect(authorizer.Properties).toMatchObject({
        AuthorizerType: 'REQUEST',
        IdentitySource: [...AUTHORIZER_ENTRY_POINT.identitySource],
      });
      expect(render(authorizer.Properties?.AuthorizerUri)).toContain(`<${authorizerFnId}.Arn>`);
      const routes = Object.fromEntries(
        resourcesOf(json, 'AWS::ApiGatewayV2::Route').map(([, route]) => [
          route.Properties?.RouteKey,
          route.Properties,
        ]),
      );
      expect(routes.$connect).toMatchObject({ AuthorizationType: 'CUSTOM', AuthorizerId: { Ref: authorizerId } });
      // WebSocket APIs authorize on $connect only; the other routes run on the connection it admitted.
      expect(routes.$default?.AuthorizationType ?? 'NONE').toBe('NONE');
    });

    it('should let only the authorizer read the owner key, and tell every function the access mode', () => {
      expect(grants(statementsOfRole(json, roleOf(authorizerFnId)))).toEqual([
        expect.stringMatching(/^logs:CreateLogStream,logs:PutLogEvents -> <SignalingauthorizerlogsW?\w*\.Arn>$/),
        `secretsmanager:DescribeSecret,secretsmanager:GetSecretValue -> <${ownerKeyId}>`,
      ]);
      const readers = resourcesOf(json, 'AWS::IAM::Policy').filter(([, policy]) =>
        JSON.stringify(policy.Properties?.PolicyDocument).includes(`"Ref":"${ownerKeyId}"`),
      );
      expect(readers).toHaveLength(1);
      for (const id of [authorizerFnId, ...Object.values(handlerIds)]) {
        const variables = (prop(json.Resources[id], 'Environment') as { Variables: Record<string, unknown> }).Variables;
        expect(variables[SIGNALING_ENV.accessMode], id).toBe('private');
        expect(variables[SIGNALING_ENV.inviteValidityHours], id).toBe(String(DEFAULT_INVITE_VALIDITY_HOURS));
        expect(variables[SIGNALING_ENV.ownerKey], id).toBeUndefined();
      }
      const authorizerVariables = (
        prop(json.Resources[authorizerFnId], 'Environment') as { Variables: Record<string, unknown> }
      ).Variables;
      expect(render(authorizerVariables[SIGNALING_ENV.ownerKeySecretArn])).toBe(`<${ownerKeyId}>`);
      expect(authorizerVariables[SIGNALING_ENV.tableName]).toBeUndefined();
    });

    it('should cap every function with reserved concurrency, and the table with a maximum throughput', () => {
      for (const id of [authorizerFnId, ...Object.values(handlerIds)]) {
        expect(json.Resources[id]?.Properties?.ReservedConcurrentExecutions, id).toBe(DEFAULT_HANDLER_CONCURRENCY);
      }
      const [, table] = onlyResource(json, 'AWS::DynamoDB::Table');
      expect(table.Properties?.OnDemandThroughput).toEqual({
        MaxReadRequestUnits: TABLE_MAX_READ_UNITS_PER_SECOND,
        MaxWriteRequestUnits: TABLE_MAX_WRITE_UNITS_PER_SECOND,
      });
    });

    it('should print where the owner key is (its ARN), never the key', () => {
      expect(render(json.Outputs[OWNER_KEY_OUTPUT]?.Value)).toBe(`<${ownerKeyId}>`);
      expect(JSON.stringify(json)).not.toContain('"SecretString"');
      expect(resourcesOf(json, 'AWS::Budgets::Budget')).toHaveLength(0);
    });
  });

  describe('when looking at the room table', () => {
    it('should follow the shared schema, bill on demand and expire items by TTL', () => {
      const [, table] = onlyResource(json, 'AWS::DynamoDB::Table');
      expect(table.Properties).toMatchObject({
        BillingMode: 'PAY_PER_REQUEST',
        KeySchema: [
          { AttributeName: ROOM_TABLE_SCHEMA.partitionKey.name, KeyType: 'HASH' },
          { AttributeName: ROOM_TABLE_SCHEMA.sortKey.name, KeyType: 'RANGE' },
        ],
        TimeToLiveSpecification: { AttributeName: ROOM_TABLE_SCHEMA.timeToLiveAttribute, Enabled: true },
      });
      expect(table.Properties?.GlobalSecondaryIndexes).toBeUndefined();
    });
  });

  describe('when looking at the site', () => {
    it('should keep the bucket private, encrypted and owner-enforced', () => {
      template.hasResourceProperties('AWS::S3::Bucket', {
        PublicAccessBlockConfiguration: {
          BlockPublicAcls: true,
          BlockPublicPolicy: true,
          IgnorePublicAcls: true,
          RestrictPublicBuckets: true,
        },
        BucketEncryption: Match.anyValue(),
        OwnershipControls: { Rules: [{ ObjectOwnership: 'BucketOwnerEnforced' }] },
      });
    });

    it('should refuse non-TLS access and let only this distribution (and the emptying function) in', () => {
      const [, policy] = onlyResource(json, 'AWS::S3::BucketPolicy');
      const statements = (prop(policy, 'PolicyDocument') as { Statement: Record<string, unknown>[] }).Statement;
      expect(statements).toContainEqual(
        expect.objectContaining({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
      );
      const allowed = statements.filter((statement) => statement.Effect === 'Allow');
      expect(allowed.map((statement) => render(Object.values(statement.Principal as object)[0]))).toEqual([
        '<CustomS3AutoDeleteObjectsCustomResourceProviderRole3B1BD092.Arn>',
        'cloudfront.amazonaws.com',
      ]);
      const cloudFront = allowed[1] as { Action: string; Condition: { StringEquals: Record<string, unknown> } };
      expect(cloudFront.Action).toBe('s3:GetObject');
      expect(render(cloudFront.Condition.StringEquals['AWS:SourceArn'])).toBe(
        'arn:<AWS::Partition>:cloudfront::<AWS::AccountId>:distribution/<SiteDistribution390DED28>',
      );
    });

    it('should serve through CloudFront with Origin Access Control, HTTPS only, GET and HEAD only', () => {
      const [oacId] = onlyResource(json, 'AWS::CloudFront::OriginAccessControl');
      template.hasResourceProperties('AWS::CloudFront::OriginAccessControl', {
        OriginAccessControlConfig: { OriginAccessControlOriginType: 's3', SigningBehavior: 'always' },
      });
      const [, distribution] = onlyResource(json, 'AWS::CloudFront::Distribution');
      const distributionConfig = distribution.Properties?.DistributionConfig as Record<string, unknown>;
      expect(distributionConfig).toMatchObject({
        DefaultRootObject: 'index.html',
        DefaultCacheBehavior: {
          ViewerProtocolPolicy: 'redirect-to-https',
          AllowedMethods: ['GET', 'HEAD'],
          ResponseHeadersPolicyId: { Ref: 'SiteSecurityHeaders2B88159C' },
        },
        Origins: [
          { OriginAccessControlId: { 'Fn::GetAtt': [oacId, 'Id'] }, S3OriginConfig: { OriginAccessIdentity: '' } },
        ],
      });
      expect(distributionConfig.ViewerCertificate).toBeUndefined();
    });

    it('should send a CSP allowing only its own origin and the signaling origin, HSTS, nosniff and DENY', () => {
      const [, policy] = onlyResource(json, 'AWS::CloudFront::ResponseHeadersPolicy');
      const headers = (prop(policy, 'ResponseHeadersPolicyConfig') as Record<string, Record<string, unknown>>)
        .SecurityHeadersConfig as Record<string, Record<string, unknown>>;
      expect(render(headers.ContentSecurityPolicy?.ContentSecurityPolicy)).toBe(
        contentSecurityPolicy({ connectSrc: [SIGNALING_WSS_ORIGIN] }),
      );
      expect(headers).toMatchObject({
        ContentSecurityPolicy: { Override: true },
        StrictTransportSecurity: {
          AccessControlMaxAgeSec: HSTS_MAX_AGE_SECONDS,
          IncludeSubdomains: true,
          Override: true,
        },
        ContentTypeOptions: { Override: true },
        FrameOptions: { FrameOption: 'DENY', Override: true },
        ReferrerPolicy: { ReferrerPolicy: 'no-referrer', Override: true },
      });
    });

    it('should upload hashed assets cached for a year, and pages plus config.json revalidated each time', () => {
      const deployments = resourcesOf(json, 'Custom::CDKBucketDeployment').map(([, d]) => d.Properties ?? {});
      expect(deployments).toEqual(
        expect.arrayContaining([
          expect.objectContaining({
            Include: ['assets/*'],
            Exclude: ['*'],
            SystemMetadata: { 'cache-control': HASHED_ASSET_CACHE_CONTROL },
          }),
          expect.objectContaining({
            Exclude: ['assets/*'],
            SystemMetadata: { 'cache-control': PAGE_CACHE_CONTROL },
            DistributionPaths: ['/', '/index.html', SITE_CONFIG_PATH],
          }),
        ]),
      );
    });

    it('should deploy a config.json that names this stack’s signaling endpoint', () => {
      app.synth();
      const pages = resourcesOf(json, 'Custom::CDKBucketDeployment')
        .map(([, d]) => d.Properties ?? {})
        .find((d) => (d.Exclude as string[] | undefined)?.[0] === 'assets/*');
      const markers = (prop({ Type: '', Properties: pages }, 'SourceMarkers') as Record<string, unknown>[])[1] ?? {};
      const assetKey = String((prop({ Type: '', Properties: pages }, 'SourceObjectKeys') as string[])[1]).replace(
        /\.zip$/,
        '',
      );
      const configJson = readFileSync(join(outdir, `asset.${assetKey}`, SITE_CONFIG_PATH.slice(1)), 'utf8');
      const resolved = Object.entries(markers).reduce(
        (text, [marker, value]) => text.replaceAll(marker, render(value)),
        configJson,
      );
      expect(JSON.parse(resolved)).toEqual({
        signalingUrl: `${SIGNALING_WSS_ORIGIN}/${SIGNALING_STAGE_NAME}`,
        access: 'private',
        inviteValidityHours: DEFAULT_INVITE_VALIDITY_HOURS,
      });
    });
  });

  describe('when looking at the TURN server', () => {
    const [instanceId, instance] = onlyResource(json, 'AWS::EC2::Instance');

    it('should live in its own VPC with one public subnet and no NAT gateway', () => {
      template.hasResourceProperties('AWS::EC2::VPC', { CidrBlock: TURN_VPC_CIDR });
      const subnets = resourcesOf(json, 'AWS::EC2::Subnet');
      expect(subnets).toHaveLength(1);
      expect(subnets[0]?.[1].Properties?.MapPublicIpOnLaunch).toBe(true);
      expect(resourcesOf(json, 'AWS::EC2::NatGateway')).toEqual([]);
    });

    it('should open only the TURN port (UDP and TCP), TCP 443 and the relay range (UDP), never SSH', () => {
      const [, group] = onlyResource(json, 'AWS::EC2::SecurityGroup');
      const ingress = (prop(group, 'SecurityGroupIngress') as Record<string, unknown>[]).map(
        (rule) => `${rule.IpProtocol} ${rule.FromPort}-${rule.ToPort} from ${rule.CidrIp}`,
      );
      expect(ingress.sort()).toEqual(
        [
          `tcp ${config.turnPort}-${config.turnPort} from 0.0.0.0/0`,
          `udp ${config.turnPort}-${config.turnPort} from 0.0.0.0/0`,
          // TURN over TCP on 443, which the host's firewall redirects to the TURN port.
          `tcp ${TURN_TCP_FALLBACK_PORT}-${TURN_TCP_FALLBACK_PORT} from 0.0.0.0/0`,
          `udp ${config.relayPortMin}-${config.relayPortMax} from 0.0.0.0/0`,
        ].sort(),
      );
      expect(resourcesOf(json, 'AWS::EC2::SecurityGroupIngress')).toEqual([]);
      expect(instance.Properties?.KeyName).toBeUndefined();
    });

    it('should require IMDSv2 with a hop limit of 1', () => {
      expect(instance.Properties?.MetadataOptions).toEqual({ HttpTokens: 'required', HttpPutResponseHopLimit: 1 });
    });

    it('should boot Ubuntu LTS arm64 from the public SSM parameter, on a small Graviton type', () => {
      const imageParameter = render(instance.Properties?.ImageId).slice(1, -1);
      expect(json.Parameters[imageParameter]).toEqual({
        Type: 'AWS::SSM::Parameter::Value<AWS::EC2::Image::Id>',
        Default: UBUNTU_AMI_PARAMETER,
      });
      expect(instance.Properties?.InstanceType).toBe(config.instanceType);
    });

    it('should earn its CPU bursts rather than buy them: standard CPU credits, so credits are never billed', () => {
      expect(config.instanceType).toBe('t4g.nano');
      expect(instance.Properties?.CreditSpecification).toEqual({ CPUCredits: 'standard' });
    });

    it('should encrypt its root volume and delete it with the instance', () => {
      expect(instance.Properties?.BlockDeviceMappings).toEqual([
        expect.objectContaining({ Ebs: expect.objectContaining({ Encrypted: true, DeleteOnTermination: true }) }),
      ]);
    });

    it('should be reachable by Session Manager and read only its TURN secret', () => {
      const profileId = render(instance.Properties?.IamInstanceProfile).slice(1, -1);
      const roleId = render((prop(json.Resources[profileId], 'Roles') as unknown[])[0]).slice(1, -1);
      expect((prop(json.Resources[roleId], 'ManagedPolicyArns') as unknown[]).map((arn) => render(arn))).toEqual([
        'arn:<AWS::Partition>:iam::aws:policy/AmazonSSMManagedInstanceCore',
      ]);
      expect(grants(statementsOfRole(json, roleId))).toEqual([
        'secretsmanager:DescribeSecret,secretsmanager:GetSecretValue -> <TurnSecret7AD0C540>',
      ]);
    });

    it('should hold an Elastic IP associated with the instance', () => {
      const [eipId] = onlyResource(json, 'AWS::EC2::EIP');
      const [, association] = onlyResource(json, 'AWS::EC2::EIPAssociation');
      expect(association.Properties).toEqual({
        AllocationId: { 'Fn::GetAtt': [eipId, 'AllocationId'] },
        InstanceId: { Ref: instanceId },
      });
    });

    it('should run the user-data generated from the production profile, with this stack’s secret, region and EIP', () => {
      expect(render(instance.Properties?.UserData)).toBe(
        renderTurnHostUserData({
          secretArn: '<TurnSecret7AD0C540>',
          region: '<AWS::Region>',
          elasticIp: '<TurnElasticIpC329870D.PublicIp>',
          realm: TURN_DEFAULT_REALM,
          listeningPort: config.turnPort,
          minPort: config.relayPortMin,
          maxPort: config.relayPortMax,
        }),
      );
      // The host's firewall answers TURN over TCP on 443 by redirecting it to the TURN port.
      expect(render(instance.Properties?.UserData)).toContain(
        `tcp dport ${TURN_TCP_FALLBACK_PORT} redirect to :${config.turnPort}`,
      );
    });

    it('should generate the shared TURN secret', () => {
      template.hasResourceProperties('AWS::SecretsManager::Secret', {
        GenerateSecretString: { ExcludePunctuation: true, IncludeSpace: false, PasswordLength: 48 },
      });
    });
  });

  describe('when looking at the outputs', () => {
    it('should print the site URL, the signaling URL, the TURN address and the TURN host for Session Manager', () => {
      expect(render(json.Outputs.SiteUrl?.Value)).toBe('https://<SiteDistribution390DED28.DomainName>/');
      expect(render(json.Outputs.SignalingUrl?.Value)).toBe(`${SIGNALING_WSS_ORIGIN}/${SIGNALING_STAGE_NAME}`);
      expect(render(json.Outputs.TurnAddress?.Value)).toBe(`<TurnElasticIpC329870D.PublicIp>:${config.turnPort}`);
      expect(render(json.Outputs.TurnInstanceId?.Value)).toBe(`<${instanceIdOf(json)}>`);
    });
  });

  describe('when destroyed', () => {
    const STATEFUL_TYPES = [
      'AWS::S3::Bucket',
      'AWS::DynamoDB::Table',
      'AWS::SecretsManager::Secret',
      'AWS::Logs::LogGroup',
      'AWS::EC2::EIP',
      'AWS::EC2::Instance',
    ];

    it('should delete every resource: no Retain or Snapshot policy anywhere', () => {
      for (const [id, resource] of Object.entries(json.Resources)) {
        expect([undefined, 'Delete'], `${id} DeletionPolicy`).toContain(resource.DeletionPolicy);
        expect([undefined, 'Delete'], `${id} UpdateReplacePolicy`).toContain(resource.UpdateReplacePolicy);
      }
    });

    it('should hold each stateful resource type it creates with an explicit or default delete', () => {
      const types = new Set(Object.values(json.Resources).map((resource) => resource.Type));
      for (const type of STATEFUL_TYPES) expect(types.has(type), type).toBe(true);
      for (const type of ['AWS::S3::Bucket', 'AWS::DynamoDB::Table']) {
        expect(onlyResource(json, type)[1].DeletionPolicy, type).toBe('Delete');
      }
      const secrets = resourcesOf(json, 'AWS::SecretsManager::Secret');
      expect(secrets).toHaveLength(2); // the TURN secret and the owner key
      for (const [id, secret] of secrets) expect(secret.DeletionPolicy, id).toBe('Delete');
      expect(onlyResource(json, 'AWS::DynamoDB::Table')[1].Properties?.DeletionProtectionEnabled).not.toBe(true);
      expect(onlyResource(json, 'AWS::EC2::Instance')[1].Properties?.DisableApiTermination).not.toBe(true);
    });

    it('should empty the bucket before deleting it', () => {
      const [bucketId] = onlyResource(json, 'AWS::S3::Bucket');
      const [, emptying] = onlyResource(json, 'Custom::S3AutoDeleteObjects');
      expect(emptying.Properties?.BucketName).toEqual({ Ref: bucketId });
    });

    it('should own the log group of every function, so none is left behind by Lambda', () => {
      const logGroupNames = resourcesOf(json, 'AWS::Logs::LogGroup').map(([, group]) =>
        group.Properties?.LogGroupName ? render(group.Properties.LogGroupName) : undefined,
      );
      for (const [id, fn] of resourcesOf(json, 'AWS::Lambda::Function')) {
        const configured = (fn.Properties?.LoggingConfig as { LogGroup?: unknown } | undefined)?.LogGroup;
        if (configured) {
          expect(json.Resources[render(configured).slice(1, -1)]?.DeletionPolicy, id).toBe('Delete');
        } else {
          expect(logGroupNames, id).toContain(`/aws/lambda/<${id}>`);
        }
      }
    });
  });

  describe('when checked by cdk-nag AwsSolutions', () => {
    it('should have no unacknowledged finding', () => {
      const report = new AwsSolutionsChecks().validateScope(stack);
      const findings = report.violations.map(
        (violation) => `${violation.ruleName}: ${JSON.stringify(violation.violatingResources)}`,
      );
      expect(findings).toEqual([]);
    });

    it('should report a finding on an unacknowledged insecure resource (the check is live)', () => {
      const probe = new Stack(new App({ outdir: join(workDirectory, 'cdk.out.probe') }), 'Probe');
      new s3.Bucket(probe, 'PlainBucket');
      const rules = new AwsSolutionsChecks().validateScope(probe).violations.map((violation) => violation.ruleName);
      expect(rules).toEqual(expect.arrayContaining(['AwsSolutions-S1', 'AwsSolutions-S10']));
    });
  });

  it('should not warn about anything at synth', () => {
    expect(Annotations.fromStack(stack).findWarning('*', Match.anyValue())).toEqual([]);
  });
});

describe('ParleyStack with a custom domain, TURN over TLS on 443 and other settings', () => {
  const certificateArn = 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';
  const tlsSecretArn = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:parley/turn-tls-AbCdEf';
  const { stack, json, config } = synth({
    siteDomain: 'call.example.org',
    siteCertificateArn: certificateArn,
    turnDomain: 'turn.example.org',
    turnTlsCertificateSecretArn: tlsSecretArn,
    turnTlsPort: '443',
    instanceType: 'm7g.medium',
    relayPortMin: '50000',
    relayPortMax: '50999',
    throttleRate: '10',
    throttleBurst: '20',
    logRetentionDays: '7',
  });
  const [, instance] = onlyResource(json, 'AWS::EC2::Instance');

  it('should serve the custom domain with its certificate and TLS 1.2 or newer', () => {
    const [, distribution] = onlyResource(json, 'AWS::CloudFront::Distribution');
    expect(distribution.Properties?.DistributionConfig).toMatchObject({
      Aliases: ['call.example.org'],
      ViewerCertificate: {
        AcmCertificateArn: certificateArn,
        MinimumProtocolVersion: 'TLSv1.2_2021',
        SslSupportMethod: 'sni-only',
      },
    });
    expect(render(json.Outputs.SiteUrl?.Value)).toBe('https://call.example.org/');
  });

  it('should open the TLS port (443, no second rule for the plain-TCP fallback) and the relay range, nothing else', () => {
    const [, group] = onlyResource(json, 'AWS::EC2::SecurityGroup');
    const ingress = (prop(group, 'SecurityGroupIngress') as Record<string, unknown>[]).map(
      (rule) => `${rule.IpProtocol} ${rule.FromPort}-${rule.ToPort}`,
    );
    expect(ingress.sort()).toEqual(['tcp 3478-3478', 'tcp 443-443', 'udp 3478-3478', 'udp 50000-50999'].sort());
  });

  it('should let the host read the certificate secret too, and hand out a turns: URL', () => {
    const profileId = render(instance.Properties?.IamInstanceProfile).slice(1, -1);
    const roleId = render((prop(json.Resources[profileId], 'Roles') as unknown[])[0]).slice(1, -1);
    expect(grants(statementsOfRole(json, roleId))).toEqual([
      // One statement for both secrets: CDK merges statements with the same actions (minimizePolicies flag).
      `secretsmanager:DescribeSecret,secretsmanager:GetSecretValue -> ${tlsSecretArn},<TurnSecret7AD0C540>`,
    ]);
    const [, message] = resourcesOf(json, 'AWS::Lambda::Function').find(([, fn]) =>
      String(fn.Properties?.Description).includes('$default'),
    ) ?? ['', {} as CfnResource];
    const turnUrls = render(
      (prop(message, 'Environment') as { Variables: Record<string, unknown> }).Variables[SIGNALING_ENV.turnUrls],
    );
    expect(turnUrls.split(',')).toEqual([
      'turn:<TurnElasticIpC329870D.PublicIp>:3478?transport=udp',
      'turn:<TurnElasticIpC329870D.PublicIp>:3478?transport=tcp',
      // 443 is TLS here, so there is no plain turn: URL on 443.
      'turns:turn.example.org:443?transport=tcp',
    ]);
  });

  it('should render the user-data with TLS, the domain as realm and the relay range', () => {
    expect(render(instance.Properties?.UserData)).toBe(
      renderTurnHostUserData({
        secretArn: '<TurnSecret7AD0C540>',
        region: '<AWS::Region>',
        elasticIp: '<TurnElasticIpC329870D.PublicIp>',
        realm: 'turn.example.org',
        listeningPort: 3478,
        minPort: 50000,
        maxPort: 50999,
        tls: { certificateSecretArn: tlsSecretArn, port: 443 },
      }),
    );
    // TLS has 443: the host's firewall redirects nothing.
    expect(render(instance.Properties?.UserData)).not.toContain('redirect to');
    expect(instance.Properties?.InstanceType).toBe('m7g.medium');
    // Not burstable: EC2 refuses a credit specification on it.
    expect(instance.Properties?.CreditSpecification).toBeUndefined();
  });

  it('should apply throttling and log retention', () => {
    const [, stage] = onlyResource(json, 'AWS::ApiGatewayV2::Stage');
    expect(stage.Properties?.DefaultRouteSettings).toEqual({ ThrottlingRateLimit: 10, ThrottlingBurstLimit: 20 });
    for (const [, group] of resourcesOf(json, 'AWS::Logs::LogGroup')) {
      expect(group.Properties?.RetentionInDays).toBe(config.logRetentionDays);
    }
  });

  it('should have no unacknowledged cdk-nag finding either', () => {
    expect(new AwsSolutionsChecks().validateScope(stack).violations).toEqual([]);
  });
});

describe('ParleyStack with no prebuilt client, as `cdk deploy` runs it', () => {
  // Bundling on for this stack: the site asset runs Vite (and the handlers esbuild) as a real synth does.
  const { stack, outdir, app } = synth({ apiGatewayLogRole: 'false' }, null, { 'aws:cdk:bundling-stacks': ['**'] });

  it('should build the current client into the site asset itself, without packages/client/dist', () => {
    app.synth();
    const siteAssets = readdirSync(outdir)
      .map((name) => join(outdir, name))
      .filter((path) => existsSync(join(path, 'index.html')));
    expect(siteAssets).toHaveLength(1);
    const [asset = ''] = siteAssets;
    const page = readFileSync(join(asset, 'index.html'), 'utf8');
    // The real build: index.html names its content-hashed script and stylesheet, and both are in the asset.
    const built = [...page.matchAll(/(?:src|href)="\/(assets\/index-[\w-]+\.(?:js|css))"/g)].map(([, file]) => file);
    expect(built.map((file) => file?.split('.').pop()).sort()).toEqual(['css', 'js']);
    for (const file of built) expect(existsSync(join(asset, file ?? '')), file).toBe(true);
    expect(readFileSync(join(asset, built.find((f) => f?.endsWith('.js')) ?? ''), 'utf8')).toContain('config.json');
    // Not a copy of a build lying around: synth built it into the cloud assembly, from the sources.
    expect(asset.startsWith(outdir)).toBe(true);
  });

  it('should leave the account’s API Gateway logging role alone when told to', () => {
    expect(resourcesOf(Template.fromStack(stack).toJSON() as CfnTemplate, 'AWS::ApiGateway::Account')).toEqual([]);
  });
});

function escapeRegExp(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\<>]/g, '\\$&');
}

describe('ParleyStack open to anyone (access=open), with a cost alarm and no reserved concurrency', () => {
  const { stack, json } = synth({
    access: 'open',
    alertEmail: 'owner@example.org',
    monthlyBudgetUsd: '15',
    handlerConcurrency: '0',
  });

  it('should have no authorizer and no owner key, and say so to every function', () => {
    expect(resourcesOf(json, 'AWS::ApiGatewayV2::Authorizer')).toEqual([]);
    expect(resourcesOf(json, 'AWS::SecretsManager::Secret')).toHaveLength(1);
    expect(json.Outputs[OWNER_KEY_OUTPUT]).toBeUndefined();
    for (const [id, fn] of resourcesOf(json, 'AWS::Lambda::Function')) {
      const variables = (fn.Properties?.Environment as { Variables?: Record<string, unknown> } | undefined)?.Variables;
      if (variables?.[SIGNALING_ENV.tableName]) expect(variables[SIGNALING_ENV.accessMode], id).toBe('open');
      expect(fn.Properties?.ReservedConcurrentExecutions, id).toBeUndefined();
    }
  });

  it('should email the owner when the month passes 80 % of the budget, or is forecast to pass it', () => {
    const [, budget] = onlyResource(json, 'AWS::Budgets::Budget');
    expect(budget.Properties).toMatchObject({
      Budget: { BudgetType: 'COST', TimeUnit: 'MONTHLY', BudgetLimit: { Amount: 15, Unit: 'USD' } },
      NotificationsWithSubscribers: [
        {
          Notification: { NotificationType: 'ACTUAL', Threshold: ACTUAL_ALERT_PERCENT, ThresholdType: 'PERCENTAGE' },
          Subscribers: [{ SubscriptionType: 'EMAIL', Address: 'owner@example.org' }],
        },
        {
          Notification: { NotificationType: 'FORECASTED', Threshold: FORECAST_ALERT_PERCENT },
          Subscribers: [{ SubscriptionType: 'EMAIL', Address: 'owner@example.org' }],
        },
      ],
    });
  });

  it('should still pass cdk-nag, with the open routes acknowledged for what they are', () => {
    const report = new AwsSolutionsChecks().validateScope(stack);
    expect(report.violations.map((violation) => violation.ruleName)).toEqual([]);
  });
});
