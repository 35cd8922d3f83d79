import { plainTurnUrls, TURN_DEFAULT_REALM, turnTcpFallbackPort } from '@parley/turn';
import { CfnOutput, Stack, type StackProps } from 'aws-cdk-lib';
import type * as logs from 'aws-cdk-lib/aws-logs';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import type { ParleyConfig } from './config';
import { CostAlarm } from './cost-alarm';
import { OwnerKey } from './owner-key';
import { RoomTable } from './room-table';
import { SignalingApi } from './signaling-api';
import { Site } from './site';
import { TurnSecret } from './turn-secret';
import { TurnServer } from './turn-server';

/** The stack output naming the owner key's secret (read by `pnpm owner-link`). */
export const OWNER_KEY_OUTPUT = 'OwnerKeySecretArn';

/** The stack output with the site's address. */
export const SITE_URL_OUTPUT = 'SiteUrl';

export interface ParleyStackProps extends StackProps {
  readonly config: ParleyConfig;
  /** A prebuilt web client to deploy as is; by default the stack builds the client itself. Tests pass a stand-in. */
  readonly clientDistPath?: string;
}

/** Parley on AWS: signaling (API Gateway WebSocket + Lambda + DynamoDB), the web client (CloudFront) and TURN (EC2). */
export class ParleyStack extends Stack {
  readonly signaling: SignalingApi;
  readonly site: Site;
  readonly turn: TurnServer;

  constructor(scope: Construct, id: string, props: ParleyStackProps) {
    super(scope, id, {
      description: 'Parley: private 1:1 video calls (signaling, web client, TURN relay)',
      ...props,
    });
    const { config } = props;
    const logRetention = config.logRetentionDays as logs.RetentionDays;

    const turnSecret = new TurnSecret(this, 'TurnSecret');
    const tls =
      config.turnDomain && config.turnTlsCertificateSecretArn
        ? {
            domain: config.turnDomain,
            certificateSecret: secretsmanager.Secret.fromSecretCompleteArn(
              this,
              'TurnTlsCertificate',
              config.turnTlsCertificateSecretArn,
            ),
            port: config.turnTlsPort,
          }
        : undefined;

    this.turn = new TurnServer(this, 'Turn', {
      turnSecret: turnSecret.secret,
      instanceType: config.instanceType,
      listeningPort: config.turnPort,
      relayPortMin: config.relayPortMin,
      relayPortMax: config.relayPortMax,
      realm: config.turnDomain ?? TURN_DEFAULT_REALM,
      detailedMonitoring: config.detailedMonitoring,
      logRetention,
      ...(tls ? { tls } : {}),
    });

    const tcpFallbackPort = turnTcpFallbackPort(tls);
    const turnUrls = [
      // With TLS on 443 there is no plain TCP fallback there: the turns: URL serves networks that let only web out.
      ...plainTurnUrls({
        host: this.turn.publicIp,
        port: config.turnPort,
        ...(tcpFallbackPort === undefined ? {} : { tcpFallbackPort }),
      }),
      // TLS needs the name in the certificate, not the address.
      ...(tls ? [`turns:${tls.domain}:${tls.port}?transport=tcp`] : []),
    ];
    const roomTable = new RoomTable(this, 'Rooms');
    // An open deployment has no owner key (and so no secret to pay for).
    const ownerKey = config.access === 'private' ? new OwnerKey(this, 'OwnerKey') : undefined;
    this.signaling = new SignalingApi(this, 'Signaling', {
      table: roomTable.table,
      turnSecret: turnSecret.secret,
      turnUrls,
      turnCredentialTtlSeconds: config.turnCredentialTtlSeconds,
      throttle: { rateLimit: config.throttleRate, burstLimit: config.throttleBurst },
      logRetention,
      createApiGatewayLogRole: config.apiGatewayLogRole,
      ...(ownerKey ? { ownerKey: ownerKey.secret } : {}),
      inviteValidityHours: config.inviteValidityHours,
      concurrency: config.handlerConcurrency,
    });

    this.site = new Site(this, 'Site', {
      ...(props.clientDistPath ? { clientDistPath: props.clientDistPath } : {}),
      signalingUrl: this.signaling.url,
      access: config.access,
      inviteValidityHours: config.inviteValidityHours,
      logRetention,
      ...(config.siteDomain && config.siteCertificateArn
        ? { domain: { name: config.siteDomain, certificateArn: config.siteCertificateArn } }
        : {}),
    });

    new CfnOutput(this, SITE_URL_OUTPUT, {
      description: 'Open this to start a call; share the room link',
      value: this.site.url,
    });
    new CfnOutput(this, 'SignalingUrl', { description: 'The signaling WebSocket', value: this.signaling.url });
    if (ownerKey) {
      new CfnOutput(this, OWNER_KEY_OUTPUT, {
        description:
          'Where the owner key is (its ARN, not the key): `pnpm owner-link` reads it and prints your owner link',
        value: ownerKey.secret.secretArn,
      });
    }
    if (config.alertEmail) {
      new CostAlarm(this, 'CostAlarm', { email: config.alertEmail, monthlyBudgetUsd: config.monthlyBudgetUsd });
    }
    new CfnOutput(this, 'TurnAddress', {
      description: 'The TURN server (Elastic IP)',
      value: `${this.turn.publicIp}:${config.turnPort}`,
    });
    new CfnOutput(this, 'TurnInstanceId', {
      description: 'The TURN host, for Session Manager: aws ssm start-session --target <this id>',
      value: this.turn.instance.instanceId,
    });
    if (config.siteDomain) {
      new CfnOutput(this, 'SiteDnsTarget', {
        description: `Point ${config.siteDomain} (CNAME or alias) at this`,
        value: this.site.distribution.distributionDomainName,
      });
    }
    if (tls) {
      new CfnOutput(this, 'TurnDnsTarget', {
        description: `Point ${tls.domain} (A record) at this`,
        value: this.turn.publicIp,
      });
    }
  }
}
