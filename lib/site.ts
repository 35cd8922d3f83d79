import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { buildClient, CLIENT_DIR } from '@parley/local/client-build';
import { type AccessMode, SITE_CONFIG_PATH, SiteConfig } from '@parley/protocol';
import {
  AssetHashType,
  type CfnResource,
  DefaultStackSynthesizer,
  DockerImage,
  RemovalPolicy,
  Stack,
} from 'aws-cdk-lib';
import * as acm from 'aws-cdk-lib/aws-certificatemanager';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';
import * as origins from 'aws-cdk-lib/aws-cloudfront-origins';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import * as s3 from 'aws-cdk-lib/aws-s3';
import * as s3deploy from 'aws-cdk-lib/aws-s3-deployment';
import { Construct } from 'constructs';
import * as v from 'valibot';
import { acknowledge, nagReference } from './nag';
import { siteResponseHeaders } from './site-security-headers';

/** Construct id of CDK's stack-wide provider behind `autoDeleteObjects`. */
const AUTO_DELETE_PROVIDER_ID = 'Custom::S3AutoDeleteObjectsCustomResourceProvider';

/** Vite puts every content-hashed file here; nothing else in the build is hashed. */
export const HASHED_ASSETS_PREFIX = 'assets/';

/** Hashed files never change under their name: browsers and CloudFront may keep them for a year. */
export const HASHED_ASSET_CACHE_CONTROL = 'public, max-age=31536000, immutable';

/** index.html and config.json change with each deployment: always revalidate. */
export const PAGE_CACHE_CONTROL = 'no-cache';

/**
 * The web client as a CDK asset that builds itself: `cdk synth`/`cdk deploy` run Vite on this machine (local bundling,
 * no Docker) from the current sources into the asset folder, so a deploy always ships the client of this checkout.
 * The hash is of the build output, so a change anywhere the client imports from (e.g. @parley/protocol) is deployed.
 */
export function builtClientSource(): s3deploy.ISource {
  return s3deploy.Source.asset(CLIENT_DIR, {
    assetHashType: AssetHashType.OUTPUT,
    bundling: {
      local: {
        tryBundle(outputDir: string): boolean {
          buildClient(outputDir);
          return true;
        },
      },
      // CDK requires an image for bundling in Docker, which we never reach: local bundling either builds or throws
      // (falling back to Docker would hide the build error behind "docker: not found").
      image: DockerImage.fromRegistry('node:20-slim'),
    },
  });
}

export interface SiteProps {
  /**
   * A prebuilt client to deploy as is (`index.html` plus hashed files under `assets/`); tests pass a small stand-in.
   * By default the site builds the client itself (builtClientSource).
   */
  readonly clientDistPath?: string;
  /** The signaling `wss://` URL written into `/config.json` and allowed by the Content Security Policy. */
  readonly signalingUrl: string;
  /** Who may use the deployment, and how long invitations work: the client reads both from `/config.json`. */
  readonly access: AccessMode;
  readonly inviteValidityHours: number;
  readonly logRetention: logs.RetentionDays;
  /** A custom domain with its ACM certificate (us-east-1); the CloudFront domain otherwise. */
  readonly domain?: { name: string; certificateArn: string };
}

/** The web client: a private S3 bucket served only through CloudFront (OAC), with strict security headers. */
export class Site extends Construct {
  readonly bucket: s3.Bucket;
  readonly distribution: cloudfront.Distribution;
  readonly responseHeadersPolicy: cloudfront.ResponseHeadersPolicy;
  /** What people open: `https://<domain>/`. */
  readonly url: string;

  constructor(scope: Construct, id: string, props: SiteProps) {
    super(scope, id);
    const clientPath = props.clientDistPath;
    if (clientPath !== undefined && !existsSync(join(clientPath, 'index.html'))) {
      throw new Error(`${join(clientPath, 'index.html')} is missing: clientDistPath must be a built client.`);
    }
    const client = clientPath === undefined ? builtClientSource() : s3deploy.Source.asset(clientPath);
    const siteConfig: SiteConfig = v.parse(SiteConfig, {
      signalingUrl: props.signalingUrl,
      access: props.access,
      inviteValidityHours: props.inviteValidityHours,
    });

    this.bucket = new s3.Bucket(this, 'Bucket', {
      blockPublicAccess: s3.BlockPublicAccess.BLOCK_ALL,
      encryption: s3.BucketEncryption.S3_MANAGED,
      enforceSSL: true,
      objectOwnership: s3.ObjectOwnership.BUCKET_OWNER_ENFORCED,
      // The bucket only holds build output; `cdk destroy` empties and deletes it.
      removalPolicy: RemovalPolicy.DESTROY,
      autoDeleteObjects: true,
    });
    this.keepAutoDeleteLogsInStack(props.logRetention);
    acknowledge(
      this.bucket,
      'AwsSolutions-S1',
      'The bucket holds the public build of the web client and is readable only by CloudFront; server access logs would record nothing but CloudFront fetches.',
    );

    this.responseHeadersPolicy = new cloudfront.ResponseHeadersPolicy(this, 'SecurityHeaders', {
      // Policy names are unique per account across regions: a stack of the same name in two regions must not clash.
      responseHeadersPolicyName: `${Stack.of(this).stackName}-${Stack.of(this).region}-site-headers`,
      comment: 'Parley: CSP (self + signaling), HSTS, nosniff, no framing, no referrer',
      ...siteResponseHeaders(props.signalingUrl),
    });

    const certificate = props.domain
      ? acm.Certificate.fromCertificateArn(this, 'Certificate', props.domain.certificateArn)
      : undefined;
    this.distribution = new cloudfront.Distribution(this, 'Distribution', {
      comment: 'Parley web client',
      defaultRootObject: 'index.html',
      defaultBehavior: {
        origin: origins.S3BucketOrigin.withOriginAccessControl(this.bucket),
        viewerProtocolPolicy: cloudfront.ViewerProtocolPolicy.REDIRECT_TO_HTTPS,
        allowedMethods: cloudfront.AllowedMethods.ALLOW_GET_HEAD,
        // Honours each object's Cache-Control (set per file below), compresses text.
        cachePolicy: cloudfront.CachePolicy.CACHING_OPTIMIZED,
        responseHeadersPolicy: this.responseHeadersPolicy,
        compress: true,
      },
      httpVersion: cloudfront.HttpVersion.HTTP2_AND_3,
      // The TLS policy only applies to a custom certificate; *.cloudfront.net's policy is fixed by CloudFront.
      ...(props.domain && certificate
        ? {
            domainNames: [props.domain.name],
            certificate,
            minimumProtocolVersion: cloudfront.SecurityPolicyProtocol.TLS_V1_2_2021,
          }
        : {}),
    });
    this.url = `https://${props.domain?.name ?? this.distribution.distributionDomainName}/`;

    const deploymentLogs = new logs.LogGroup(this, 'DeploymentLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Our own role instead of AWSLambdaBasicExecutionRole: the upload function may write to its own log group only.
    const deploymentRole = new iam.Role(this, 'DeploymentRole', {
      assumedBy: new iam.ServicePrincipal('lambda.amazonaws.com'),
      description: 'Parley: uploads the web client to the site bucket',
    });
    deploymentRole.addToPolicy(
      new iam.PolicyStatement({
        actions: ['logs:CreateLogStream', 'logs:PutLogEvents'],
        resources: [deploymentLogs.logGroupArn],
      }),
    );
    // Two uploads with different caching; hashed files go first so a new index.html never names a missing one.
    const hashedAssets = new s3deploy.BucketDeployment(this, 'HashedAssets', {
      sources: [client],
      destinationBucket: this.bucket,
      exclude: ['*'],
      include: [`${HASHED_ASSETS_PREFIX}*`],
      cacheControl: [s3deploy.CacheControl.fromString(HASHED_ASSET_CACHE_CONTROL)],
      logGroup: deploymentLogs,
      role: deploymentRole,
    });
    const pages = new s3deploy.BucketDeployment(this, 'Pages', {
      sources: [client, s3deploy.Source.jsonData(SITE_CONFIG_PATH.slice(1), siteConfig)],
      destinationBucket: this.bucket,
      // Excluded keys are neither uploaded nor pruned by this deployment.
      exclude: [`${HASHED_ASSETS_PREFIX}*`],
      cacheControl: [s3deploy.CacheControl.fromString(PAGE_CACHE_CONTROL)],
      distribution: this.distribution,
      distributionPaths: ['/', '/index.html', SITE_CONFIG_PATH],
      logGroup: deploymentLogs,
      role: deploymentRole,
    });
    pages.node.addDependency(hashedAssets);

    this.acknowledgeDeploymentFindings(deploymentRole);
    this.acknowledgeDistributionFindings(Boolean(props.domain));
  }

  /**
   * CDK's bucket-emptying function has no log group setting, and Lambda would create `/aws/lambda/<name>` on first
   * run and keep it after `cdk destroy`. Creating that group in the stack, before the function first runs, makes it
   * ours: it gets a retention and is deleted with the stack.
   */
  private keepAutoDeleteLogsInStack(retention: logs.RetentionDays): void {
    const stack = Stack.of(this);
    const provider = stack.node.tryFindChild(AUTO_DELETE_PROVIDER_ID);
    const handler = provider?.node.tryFindChild('Handler') as CfnResource | undefined;
    const customResource = this.bucket.node.tryFindChild('AutoDeleteObjectsCustomResource');
    if (!handler || !customResource)
      throw new Error('CDK changed how it empties buckets: revisit Site.keepAutoDeleteLogsInStack');
    const logGroup = new logs.LogGroup(this, 'AutoDeleteLogs', {
      logGroupName: `/aws/lambda/${handler.ref}`,
      retention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    customResource.node.addDependency(logGroup);
  }

  /** The upload function is CDK's own (BucketDeployment); these are the grants CDK gives it. */
  private acknowledgeDeploymentFindings(role: iam.Role): void {
    const assetBucket = `arn:<AWS::Partition>:s3:::cdk-${DefaultStackSynthesizer.DEFAULT_QUALIFIER}-assets-<AWS::AccountId>-<AWS::Region>/*`;
    const findings: [string, string][] = [
      ['Action::s3:GetObject*', 'CDK grants read of the uploaded build (the staged asset zip) with these actions.'],
      ['Action::s3:GetBucket*', 'CDK grants read of the asset and site buckets with these actions.'],
      ['Action::s3:List*', 'The upload lists the site bucket to prune files that are gone from the build.'],
      ['Action::s3:DeleteObject*', 'The upload deletes files of earlier builds from the site bucket (prune).'],
      ['Action::s3:Abort*', 'The upload aborts failed multipart uploads to the site bucket.'],
      [`Resource::${assetBucket}`, "Objects of CDK's asset bucket: where `cdk deploy` stages the build zip."],
      [
        `Resource::${nagReference(this.bucket, 'Arn')}/*`,
        'Objects of this stack’s own site bucket, and no other bucket.',
      ],
      ['Resource::*', 'cloudfront:CreateInvalidation/GetInvalidation, which CDK grants on all distributions.'],
    ];
    for (const [finding, reason] of findings) acknowledge(role, `AwsSolutions-IAM5[${finding}]`, reason);
    const uploadFunction = Stack.of(this).node.children.find((child) =>
      child.node.id.startsWith('Custom::CDKBucketDeployment'),
    );
    if (uploadFunction) {
      acknowledge(
        uploadFunction,
        'AwsSolutions-L1',
        "CDK's BucketDeployment function: aws-cdk-lib pins its runtime (Python, with the AWS CLI layer); it only runs during deploys.",
      );
    }
  }

  private acknowledgeDistributionFindings(customDomain: boolean): void {
    const distribution = this.distribution;
    acknowledge(
      distribution,
      'AwsSolutions-CFR1',
      'Calls are private links between people anywhere; blocking countries would break calls, not secure them.',
    );
    acknowledge(
      distribution,
      'AwsSolutions-CFR2',
      'The distribution serves a few static files (GET/HEAD only, no origin logic); AWS WAF would cost more than the whole idle stack.',
    );
    acknowledge(
      distribution,
      'AwsSolutions-CFR3',
      'Static public files only; standard logs would need an ACL-enabled bucket. The signaling API, where calls happen, has access logs.',
    );
    if (!customDomain) {
      acknowledge(
        distribution,
        'AwsSolutions-CFR4',
        'Without siteDomain the distribution uses the *.cloudfront.net certificate, whose TLS policy CloudFront fixes; with siteDomain, TLSv1.2_2021 applies.',
      );
    }
  }
}
