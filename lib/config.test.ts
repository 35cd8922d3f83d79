import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { DEFAULT_THROTTLE, TURN_CREDENTIAL_TTL_SECONDS } from '@parley/protocol';
import { describe, expect, it } from 'vitest';
import { CONFIG_KEYS, CONTEXT_PREFIX, ParleyConfigError, parseParleyConfig } from './config';

/** Settings as CDK context keys: `{ turnPort: 1 }` becomes `{ 'parley:turnPort': 1 }`. */
function parley(settings: Record<string, unknown>): Record<string, unknown> {
  return Object.fromEntries(Object.entries(settings).map(([name, value]) => [`${CONTEXT_PREFIX}${name}`, value]));
}

/** The error message of parsing these settings, which must fail. */
function problemsOf(settings: Record<string, unknown>): string {
  const context = parley(settings);
  try {
    parseParleyConfig(context);
  } catch (error) {
    expect(error).toBeInstanceOf(ParleyConfigError);
    return (error as Error).message;
  }
  throw new Error(`expected ${JSON.stringify(context)} to be rejected`);
}

const TLS_SECRET_ARN = 'arn:aws:secretsmanager:eu-west-1:123456789012:secret:parley/turn-tls-AbCdEf';
const SITE_CERTIFICATE_ARN = 'arn:aws:acm:us-east-1:123456789012:certificate/0f1e2d3c-4b5a-6978-8a9b-0c1d2e3f4a5b';

describe('When no settings are given', () => {
  it('should fill in every default', () => {
    expect(parseParleyConfig({})).toEqual({
      stackName: 'Parley',
      instanceType: 't4g.nano',
      turnPort: 3478,
      relayPortMin: 49152,
      relayPortMax: 65535,
      turnCredentialTtlSeconds: TURN_CREDENTIAL_TTL_SECONDS,
      throttleRate: DEFAULT_THROTTLE.rateLimit,
      throttleBurst: DEFAULT_THROTTLE.burstLimit,
      logRetentionDays: 30,
      detailedMonitoring: false,
      apiGatewayLogRole: true,
      turnTlsPort: 5349,
      access: 'private',
      inviteValidityHours: 24,
      handlerConcurrency: 10,
      monthlyBudgetUsd: 20,
    });
  });

  it("should ignore CDK's own context keys and other teams' keys", () => {
    const warnings: string[] = [];
    const config = parseParleyConfig(
      {
        'cli-telemetry': false,
        '@aws-cdk/aws-lambda:recognizeLayerVersion': true,
        'aws:cdk:bundling-stacks': [],
        stage: 'dev',
        natGateways: 1,
        'other-team:instanceType': 'm7g.large',
      },
      (message) => warnings.push(message),
    );
    expect(config.instanceType).toBe('t4g.nano');
    expect(warnings).toEqual([]);
  });

  it('should warn, not fail, when a key without the prefix is named like a setting', () => {
    const warnings: string[] = [];
    const config = parseParleyConfig({ instanceType: 't4g.micro' }, (message) => warnings.push(message));
    expect(config.instanceType).toBe('t4g.nano');
    expect(warnings).toEqual(['context key "instanceType" is not read by Parley; did you mean parley:instanceType?']);
  });
});

describe('When a stack name is given', () => {
  it('should name the stack, so two deployments can share an account and region', () => {
    expect(parseParleyConfig(parley({ stackName: 'Parley-Family' })).stackName).toBe('Parley-Family');
  });

  it('should reject a name CloudFormation would refuse', () => {
    expect(problemsOf({ stackName: 'my_parley' })).toContain(
      'parley:stackName: must start with a letter and hold only letters, digits and hyphens (got "my_parley")',
    );
  });
});

describe('When settings come from `cdk deploy -c name=value`', () => {
  it('should read numbers and booleans given as strings', () => {
    const config = parseParleyConfig(
      parley({
        relayPortMin: '50000',
        relayPortMax: '50999',
        throttleRate: '20',
        throttleBurst: '40',
        detailedMonitoring: 'true',
        apiGatewayLogRole: 'false',
        logRetentionDays: '90',
      }),
    );
    expect(config).toMatchObject({
      relayPortMin: 50000,
      relayPortMax: 50999,
      throttleRate: 20,
      throttleBurst: 40,
      detailedMonitoring: true,
      apiGatewayLogRole: false,
      logRetentionDays: 90,
    });
  });
});

describe('When a setting is invalid', () => {
  it('should name the setting, say what is expected and show the value given', () => {
    expect(problemsOf({ relayPortMin: 'lots' })).toContain('parley:relayPortMin: must be a whole number (got "lots")');
  });

  it('should list every problem at once, one per line', () => {
    const message = problemsOf({ throttleRate: 0, instanceType: 't3.small', detailedMonitoring: 'yes' });
    expect(message.split('\n')).toEqual([
      'Invalid Parley settings in the CDK context (cdk.json or -c parley:name=value):',
      '  - parley:instanceType: must be an arm64 (Graviton) type such as t4g.small: the TURN AMI is arm64 (got "t3.small")',
      '  - parley:throttleRate: must be at least 1 (got 0)',
      '  - parley:detailedMonitoring: must be true or false (got "yes")',
    ]);
  });

  it('should reject a port outside the unprivileged range', () => {
    expect(problemsOf({ turnPort: 80 })).toContain('parley:turnPort: must be at least 1024 (got 80)');
    expect(problemsOf({ relayPortMax: 70000 })).toContain('parley:relayPortMax: must be at most 65535 (got 70000)');
  });

  it('should reject a log retention CloudWatch does not offer', () => {
    expect(problemsOf({ logRetentionDays: 10 })).toMatch(
      /parley:logRetentionDays: must be one of CloudWatch's retention periods: 1, 3, 5, 7, 14, 30,.* \(got 10\)/,
    );
  });

  it('should reject a TURN credential lifetime too short to set up a call', () => {
    expect(problemsOf({ turnCredentialTtlSeconds: 5 })).toContain(
      'parley:turnCredentialTtlSeconds: must be at least 60 (got 5)',
    );
  });

  it('should reject a TLS port other than 5349 or 443', () => {
    expect(problemsOf({ turnTlsPort: 8443 })).toContain('parley:turnTlsPort: must be 5349 or 443 (got 8443)');
  });

  it('should reject a site certificate outside us-east-1, which CloudFront cannot use', () => {
    const arn = SITE_CERTIFICATE_ARN.replace('us-east-1', 'eu-west-1');
    expect(problemsOf({ siteDomain: 'call.example.com', siteCertificateArn: arn })).toContain(
      'parley:siteCertificateArn: must be the ARN of an ACM certificate in us-east-1',
    );
  });

  it('should reject a domain name that is not one', () => {
    expect(
      problemsOf({ turnDomain: 'https://turn.example.com', turnTlsCertificateSecretArn: TLS_SECRET_ARN }),
    ).toContain('parley:turnDomain: must be a lower-case domain name (got "https://turn.example.com")');
  });
});

describe('When settings contradict each other', () => {
  it('should reject a relay range whose start is above its end', () => {
    expect(problemsOf({ relayPortMin: 60000, relayPortMax: 50000 })).toContain(
      'parley:relayPortMin: must not be greater than relayPortMax (got 60000)',
    );
  });

  it('should reject a TURN port inside the relay range', () => {
    expect(problemsOf({ turnPort: 50000 })).toContain(
      'parley:turnPort: must lie outside the relay port range (relayPortMin–relayPortMax) (got 50000)',
    );
  });

  it('should reject a burst below the steady rate', () => {
    expect(problemsOf({ throttleRate: 100, throttleBurst: 10 })).toContain(
      'parley:throttleBurst: must be at least throttleRate (got 10)',
    );
  });

  it('should reject a site domain without its certificate', () => {
    expect(problemsOf({ siteDomain: 'call.example.com' })).toContain(
      'parley:siteDomain: siteDomain and siteCertificateArn go together: set both or neither',
    );
  });

  it('should reject a TURN certificate without its domain', () => {
    expect(problemsOf({ turnTlsCertificateSecretArn: TLS_SECRET_ARN })).toContain(
      'parley:turnDomain: turnDomain and turnTlsCertificateSecretArn go together: set both or neither',
    );
  });
});

describe('When a setting name is misspelt', () => {
  it('should reject it and suggest the setting it resembles', () => {
    expect(problemsOf({ relayportmax: 60000 })).toContain(
      'parley:relayportmax: is not a setting (did you mean parley:relayPortMax?)',
    );
  });

  it('should reject an unknown setting under the prefix without a suggestion', () => {
    const message = problemsOf({ natGateways: 1 });
    expect(message).toContain('parley:natGateways: is not a setting');
    expect(message).not.toContain('did you mean');
  });
});

describe('When custom domains are configured', () => {
  it('should accept the site domain with a us-east-1 certificate and TURN over TLS on 443', () => {
    const config = parseParleyConfig(
      parley({
        siteDomain: 'call.example.com',
        siteCertificateArn: SITE_CERTIFICATE_ARN,
        turnDomain: 'turn.example.com',
        turnTlsCertificateSecretArn: TLS_SECRET_ARN,
        turnTlsPort: 443,
      }),
    );
    expect(config).toMatchObject({ siteDomain: 'call.example.com', turnDomain: 'turn.example.com', turnTlsPort: 443 });
  });
});

describe('The list of settings', () => {
  it('should name every key the schema reads', () => {
    expect([...CONFIG_KEYS].sort()).toEqual(
      [
        'access',
        'alertEmail',
        'apiGatewayLogRole',
        'detailedMonitoring',
        'handlerConcurrency',
        'inviteValidityHours',
        'monthlyBudgetUsd',
        'instanceType',
        'logRetentionDays',
        'relayPortMax',
        'relayPortMin',
        'stackName',
        'siteCertificateArn',
        'siteDomain',
        'throttleBurst',
        'throttleRate',
        'turnCredentialTtlSeconds',
        'turnDomain',
        'turnPort',
        'turnTlsCertificateSecretArn',
        'turnTlsPort',
      ].sort(),
    );
  });
});

describe('The README configuration table', () => {
  const readme = readFileSync(fileURLToPath(new URL('../README.md', import.meta.url)), 'utf8');
  const section = readme.split('\n## Configuration\n')[1]?.split('\n## ')[0] ?? '';
  const rows = new Map(
    [...section.matchAll(/^\| `parley:(\w+)` +\| ([^|]+?) +\|/gm)].map(([, name = '', value = '']) => [name, value]),
  );
  const defaults: Record<string, unknown> = parseParleyConfig({});

  it.each(CONFIG_KEYS)('should document %s with its default', (key) => {
    expect(rows.has(key), `README has no row for ${key}`).toBe(true);
    expect(rows.get(key)).toBe(key in defaults ? `\`${String(defaults[key])}\`` : 'none');
  });

  it('should document nothing that is not a setting', () => {
    expect([...rows.keys()].filter((key) => !(CONFIG_KEYS as string[]).includes(key))).toEqual([]);
  });
});
