import { renderTurnHostUserData, turnTcpFallbackPort } from '@parley/turn';
import { RemovalPolicy, Stack } from 'aws-cdk-lib';
import * as ec2 from 'aws-cdk-lib/aws-ec2';
import * as iam from 'aws-cdk-lib/aws-iam';
import * as logs from 'aws-cdk-lib/aws-logs';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { acknowledge } from './nag';

/** Canonical's public SSM parameter for the current Ubuntu 24.04 LTS arm64 AMI: resolved at deploy, no lookup. */
export const UBUNTU_AMI_PARAMETER =
  '/aws/service/canonical/ubuntu/server/24.04/stable/current/arm64/hvm/ebs-gp3/ami-id';

/** Root volume: Ubuntu plus coturn fit in a few GB; 8 GB leaves room for logs and updates, and is the smallest the
 * Ubuntu image's snapshot allows. */
export const ROOT_VOLUME_GB = 8;

/** The TURN host's VPC: one /24 public subnet is room for one instance with plenty to spare. */
export const TURN_VPC_CIDR = '10.77.0.0/24';

/** AWS managed policy that lets SSM Session Manager reach the instance (instead of SSH). */
const SSM_CORE_POLICY = 'AmazonSSMManagedInstanceCore';

export interface TurnTlsProps {
  /** The name in the certificate (clients connect to `turns:<domain>:<port>`). */
  readonly domain: string;
  /** Secrets Manager secret whose value is the PEM certificate chain followed by the private key (one file for coturn). */
  readonly certificateSecret: secretsmanager.ISecret;
  readonly port: number;
}

export interface TurnServerProps {
  readonly turnSecret: secretsmanager.ISecret;
  readonly instanceType: string;
  readonly listeningPort: number;
  readonly relayPortMin: number;
  readonly relayPortMax: number;
  readonly realm: string;
  readonly tls?: TurnTlsProps;
  readonly detailedMonitoring: boolean;
  readonly logRetention: logs.RetentionDays;
}

/** The coturn host: its own public-only VPC, an Elastic IP, TURN ports only, IMDSv2, reached by SSM not SSH. */
export class TurnServer extends Construct {
  readonly vpc: ec2.Vpc;
  readonly securityGroup: ec2.SecurityGroup;
  readonly instance: ec2.Instance;
  readonly elasticIp: ec2.CfnEIP;

  constructor(scope: Construct, id: string, props: TurnServerProps) {
    super(scope, id);

    // Public subnet only: coturn must be reachable from the internet anyway, and a NAT gateway would cost more
    // than the instance.
    this.vpc = new ec2.Vpc(this, 'Vpc', {
      ipAddresses: ec2.IpAddresses.cidr(TURN_VPC_CIDR),
      maxAzs: 1,
      natGateways: 0,
      subnetConfiguration: [{ name: 'public', subnetType: ec2.SubnetType.PUBLIC, cidrMask: 24 }],
      // The default security group is never used; CDK's rule-stripping custom resource would add a Lambda for nothing.
      restrictDefaultSecurityGroup: false,
    });
    const flowLogs = new logs.LogGroup(this, 'FlowLogs', {
      retention: props.logRetention,
      removalPolicy: RemovalPolicy.DESTROY,
    });
    // Rejected traffic only: shows who probes the host without logging the addresses of the people who call.
    this.vpc.addFlowLog('RejectedTraffic', {
      destination: ec2.FlowLogDestination.toCloudWatchLogs(flowLogs),
      trafficType: ec2.FlowLogTrafficType.REJECT,
    });

    this.securityGroup = new ec2.SecurityGroup(this, 'SecurityGroup', {
      vpc: this.vpc,
      description: 'Parley TURN: STUN/TURN and relay ports only, no SSH',
      // coturn relays to whatever address a caller's peer has, on any port; it also needs apt and Secrets Manager.
      allowAllOutbound: true,
    });
    for (const [port, why] of turnIngressPorts(props)) {
      this.securityGroup.addIngressRule(ec2.Peer.anyIpv4(), port, why);
    }
    acknowledge(
      this.securityGroup,
      'AwsSolutions-EC23',
      'A TURN server serves callers on any network, so its TURN and relay ports must be open to the internet; nothing else is open (no SSH).',
    );

    const role = new iam.Role(this, 'Role', {
      assumedBy: new iam.ServicePrincipal('ec2.amazonaws.com'),
      description: 'Parley TURN host: SSM Session Manager and its TURN secret(s) only',
      managedPolicies: [iam.ManagedPolicy.fromAwsManagedPolicyName(SSM_CORE_POLICY)],
    });
    acknowledge(
      role,
      `AwsSolutions-IAM4[Policy::arn:<AWS::Partition>:iam::aws:policy/${SSM_CORE_POLICY}]`,
      'The AWS-maintained policy for Session Manager, which replaces SSH on this host; AWS keeps its action list current.',
    );
    props.turnSecret.grantRead(role);
    props.tls?.certificateSecret.grantRead(role);

    this.elasticIp = new ec2.CfnEIP(this, 'ElasticIp', {
      domain: 'vpc',
      tags: [{ key: 'Name', value: `${Stack.of(this).stackName}-turn` }],
    });

    // Tokens (secret ARN, region, Elastic IP) are resolved by CloudFormation inside the script.
    const userData = renderTurnHostUserData({
      secretArn: props.turnSecret.secretArn,
      region: Stack.of(this).region,
      elasticIp: this.elasticIp.attrPublicIp,
      realm: props.realm,
      listeningPort: props.listeningPort,
      minPort: props.relayPortMin,
      maxPort: props.relayPortMax,
      ...(props.tls
        ? { tls: { certificateSecretArn: props.tls.certificateSecret.secretArn, port: props.tls.port } }
        : {}),
    });

    const instanceType = new ec2.InstanceType(props.instanceType);
    this.instance = new ec2.Instance(this, 'Instance', {
      vpc: this.vpc,
      vpcSubnets: { subnetType: ec2.SubnetType.PUBLIC },
      instanceType,
      machineImage: ec2.MachineImage.fromSsmParameter(UBUNTU_AMI_PARAMETER, { os: ec2.OperatingSystemType.LINUX }),
      securityGroup: this.securityGroup,
      role,
      userData: ec2.UserData.custom(userData),
      // A changed setup script only runs on a fresh host; the Elastic IP keeps the address across replacements.
      userDataCausesReplacement: true,
      // IMDSv2 only (what `requireImdsv2` sets), plus a hop limit of 1: coturn runs on the host itself, so nothing
      // forwarded through it (a container, a relayed packet) can reach the metadata service.
      httpTokens: ec2.HttpTokens.REQUIRED,
      httpPutResponseHopLimit: 1,
      detailedMonitoring: props.detailedMonitoring,
      // A burstable (t4g) host may run above its CPU baseline only on credits it has earned, never on billed ones
      // ("unlimited" mode, the t4g default, bills surplus credits); `pnpm bench turn-capacity` sizes the default.
      ...(instanceType.isBurstable() ? { creditSpecification: ec2.CpuCredits.STANDARD } : {}),
      blockDevices: [
        {
          deviceName: '/dev/sda1',
          volume: ec2.BlockDeviceVolume.ebs(ROOT_VOLUME_GB, {
            encrypted: true,
            volumeType: ec2.EbsDeviceVolumeType.GP3,
            deleteOnTermination: true,
          }),
        },
      ],
    });
    new ec2.CfnEIPAssociation(this, 'ElasticIpAssociation', {
      allocationId: this.elasticIp.attrAllocationId,
      instanceId: this.instance.instanceId,
    });

    acknowledge(
      this.instance,
      'AwsSolutions-EC29',
      'The host holds no state: `cdk deploy` recreates it from the AMI and user data, and `cdk destroy` must be able to remove it. Termination protection would only block that.',
    );
    if (!props.detailedMonitoring) {
      acknowledge(
        this.instance,
        'AwsSolutions-EC28',
        'Basic 5-minute metrics suffice for one relay host and cost nothing; set detailedMonitoring=true for 1-minute metrics.',
      );
    }
  }

  /** The TURN host's public address (the Elastic IP). */
  get publicIp(): string {
    return this.elasticIp.attrPublicIp;
  }
}

/**
 * Every ingress rule of the TURN host: the TURN port (UDP and TCP), the relay range (UDP), TURN over TCP on 443
 * (which the host's firewall redirects to the TURN port) and TURN over TLS if set; TLS on 443 takes that port.
 */
export function turnIngressPorts(
  props: Pick<TurnServerProps, 'listeningPort' | 'relayPortMin' | 'relayPortMax' | 'tls'>,
) {
  const rules: [ec2.Port, string][] = [
    [ec2.Port.udp(props.listeningPort), 'STUN/TURN over UDP'],
    [ec2.Port.tcp(props.listeningPort), 'TURN over TCP (networks that block UDP)'],
    [ec2.Port.udpRange(props.relayPortMin, props.relayPortMax), 'TURN relay ports (UDP)'],
  ];
  const fallbackPort = turnTcpFallbackPort(props.tls);
  if (fallbackPort !== undefined) {
    rules.push([ec2.Port.tcp(fallbackPort), 'TURN over TCP on 443 (networks that allow only web ports)']);
  }
  if (props.tls) rules.push([ec2.Port.tcp(props.tls.port), 'TURN over TLS']);
  return rules;
}
