import {
  ACCESS_MODES,
  DEFAULT_INVITE_VALIDITY_HOURS,
  DEFAULT_THROTTLE,
  MAX_INVITE_VALIDITY_HOURS,
  TURN_CREDENTIAL_TTL_SECONDS,
} from '@parley/protocol';
import { TURN_LISTENING_PORT, TURN_RELAY_MAX_PORT, TURN_RELAY_MIN_PORT, TURN_TLS_LISTENING_PORT } from '@parley/turn';
import * as v from 'valibot';

/** Default relay port range of coturn: the IANA dynamic range, as coturn itself defaults. */
export const DEFAULT_RELAY_PORT_MIN = TURN_RELAY_MIN_PORT;
export const DEFAULT_RELAY_PORT_MAX = TURN_RELAY_MAX_PORT;

/** The standard STUN/TURN port (UDP and TCP). */
export const DEFAULT_TURN_PORT = TURN_LISTENING_PORT;

/** The standard TURN-over-TLS port; 443 is the alternative that passes strict corporate firewalls. */
export const DEFAULT_TURN_TLS_PORT = TURN_TLS_LISTENING_PORT;
export const TURN_TLS_PORTS = [TURN_TLS_LISTENING_PORT, 443] as const;

/**
 * The smallest Graviton instance: coturn relays a 1:1 call (5 Mbit/s each way) for well under 1 % of a core, so its
 * CPU baseline and 32 Mbit/s baseline network hold about 6 relayed calls at once (`pnpm bench turn-capacity`), and it
 * keeps the idle stack under $10 a month.
 */
export const DEFAULT_INSTANCE_TYPE = 't4g.nano';

/** The CloudFormation stack's name; another name puts a second deployment beside the first in one account and region. */
export const DEFAULT_STACK_NAME = 'Parley';

/**
 * Longest stack name: CloudFormation allows 128 characters, but the name is also part of account-wide resource names
 * (the CloudFront response headers policy `<stack>-<region>-site-headers`, at most 128 characters).
 */
const MAX_STACK_NAME_LENGTH = 64;

/** Parley's settings are context keys under this prefix (`parley:instanceType`); other keys belong to someone else. */
export const CONTEXT_PREFIX = 'parley:';

/** How long CloudWatch keeps the handlers' and the API's logs. */
export const DEFAULT_LOG_RETENTION_DAYS = 30;

/** Retention periods CloudWatch Logs accepts (anything else fails at deploy time, so we reject it at synth). */
export const LOG_RETENTION_DAYS = [
  1, 3, 5, 7, 14, 30, 60, 90, 120, 150, 180, 365, 400, 545, 731, 1096, 1827, 2192, 2557, 2922, 3288, 3653,
] as const;

/** Bounds of the TURN credential lifetime: long enough to set up a call, short enough that a leaked one expires. */
export const MIN_TURN_CREDENTIAL_TTL_SECONDS = 60;
export const MAX_TURN_CREDENTIAL_TTL_SECONDS = 24 * 60 * 60;

/**
 * Concurrent executions reserved for (and capping) each signaling handler. A handler runs ~50 ms, so 10 at once serve
 * ~200 requests a second: four times the stage's default throttle. It bounds what a flood can cost in Lambda time.
 */
export const DEFAULT_HANDLER_CONCURRENCY = 10;

/** The monthly cost the optional budget alarm (`alertEmail`) watches, in US dollars. */
export const DEFAULT_MONTHLY_BUDGET_USD = 20;

/** Unprivileged ports only: coturn runs as its own user. */
const MIN_UNPRIVILEGED_PORT = 1024;
const MAX_PORT = 65535;

/** CDK context values given with `-c parley:key=value` arrive as strings; values in cdk.json keep their JSON type. */
const integerSetting = (min: number, max: number) =>
  v.pipe(
    v.union([v.number(), v.pipe(v.string(), v.regex(/^\s*-?\d+\s*$/), v.transform(Number))], 'must be a whole number'),
    v.integer('must be a whole number'),
    v.minValue(min, `must be at least ${min}`),
    v.maxValue(max, `must be at most ${max}`),
  );

const booleanSetting = v.union(
  [
    v.boolean(),
    v.pipe(
      v.picklist(['true', 'false']),
      v.transform((text) => text === 'true'),
    ),
  ],
  'must be true or false',
);

const domainName = v.pipe(
  v.string('must be a domain name'),
  v.regex(/^(?=.{1,253}$)([a-z0-9]([a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/, 'must be a lower-case domain name'),
);

/** Graviton families carry a `g` after the generation digit (t4g, m7g, c6gn, r8gd…); a1 is the first one. */
const GRAVITON_INSTANCE_TYPE = /^([a-z]+\d+g[a-z]*|a1)\.[a-z0-9]+$/;

/** Every deployment setting, read from CDK context (`cdk.json` or `cdk deploy -c parley:name=value`). */
const ParleyConfigSchema = v.pipe(
  v.object({
    stackName: v.optional(
      v.pipe(
        v.string('must be a string'),
        v.regex(/^[A-Za-z][A-Za-z0-9-]*$/, 'must start with a letter and hold only letters, digits and hyphens'),
        v.maxLength(MAX_STACK_NAME_LENGTH, `must be at most ${MAX_STACK_NAME_LENGTH} characters`),
      ),
      DEFAULT_STACK_NAME,
    ),
    instanceType: v.optional(
      v.pipe(
        v.string('must be a string'),
        v.regex(GRAVITON_INSTANCE_TYPE, 'must be an arm64 (Graviton) type such as t4g.small: the TURN AMI is arm64'),
      ),
      DEFAULT_INSTANCE_TYPE,
    ),
    turnPort: v.optional(integerSetting(MIN_UNPRIVILEGED_PORT, MAX_PORT), DEFAULT_TURN_PORT),
    relayPortMin: v.optional(integerSetting(MIN_UNPRIVILEGED_PORT, MAX_PORT), DEFAULT_RELAY_PORT_MIN),
    relayPortMax: v.optional(integerSetting(MIN_UNPRIVILEGED_PORT, MAX_PORT), DEFAULT_RELAY_PORT_MAX),
    turnCredentialTtlSeconds: v.optional(
      integerSetting(MIN_TURN_CREDENTIAL_TTL_SECONDS, MAX_TURN_CREDENTIAL_TTL_SECONDS),
      TURN_CREDENTIAL_TTL_SECONDS,
    ),
    throttleRate: v.optional(integerSetting(1, 10_000), DEFAULT_THROTTLE.rateLimit),
    throttleBurst: v.optional(integerSetting(1, 5_000), DEFAULT_THROTTLE.burstLimit),
    logRetentionDays: v.optional(
      v.pipe(
        integerSetting(1, 3653),
        v.picklist(
          LOG_RETENTION_DAYS,
          `must be one of CloudWatch's retention periods: ${LOG_RETENTION_DAYS.join(', ')}`,
        ),
      ),
      DEFAULT_LOG_RETENTION_DAYS,
    ),
    detailedMonitoring: v.optional(booleanSetting, false),
    access: v.optional(v.picklist(ACCESS_MODES, `must be ${ACCESS_MODES.join(' or ')}`), 'private'),
    inviteValidityHours: v.optional(integerSetting(1, MAX_INVITE_VALIDITY_HOURS), DEFAULT_INVITE_VALIDITY_HOURS),
    handlerConcurrency: v.optional(integerSetting(0, 1000), DEFAULT_HANDLER_CONCURRENCY),
    alertEmail: v.optional(v.pipe(v.string('must be an email address'), v.email('must be an email address'))),
    monthlyBudgetUsd: v.optional(integerSetting(1, 100_000), DEFAULT_MONTHLY_BUDGET_USD),
    apiGatewayLogRole: v.optional(booleanSetting, true),
    siteDomain: v.optional(domainName),
    siteCertificateArn: v.optional(
      v.pipe(
        v.string('must be an ACM certificate ARN'),
        v.regex(
          /^arn:aws[a-z-]*:acm:us-east-1:\d{12}:certificate\/[0-9a-f-]+$/,
          'must be the ARN of an ACM certificate in us-east-1 (CloudFront only uses certificates from there)',
        ),
      ),
    ),
    turnDomain: v.optional(domainName),
    turnTlsCertificateSecretArn: v.optional(
      v.pipe(
        v.string('must be a Secrets Manager secret ARN'),
        v.regex(
          /^arn:aws[a-z-]*:secretsmanager:[a-z0-9-]+:\d{12}:secret:[\w/+=.@-]+$/,
          'must be the full ARN of a Secrets Manager secret',
        ),
      ),
    ),
    turnTlsPort: v.optional(
      v.pipe(integerSetting(1, MAX_PORT), v.picklist(TURN_TLS_PORTS, `must be ${TURN_TLS_PORTS.join(' or ')}`)),
      DEFAULT_TURN_TLS_PORT,
    ),
  }),
  v.forward(
    v.check((c) => c.relayPortMin <= c.relayPortMax, 'must not be greater than relayPortMax'),
    ['relayPortMin'],
  ),
  v.forward(
    v.check(
      (c) => c.turnPort < c.relayPortMin || c.turnPort > c.relayPortMax,
      'must lie outside the relay port range (relayPortMin–relayPortMax)',
    ),
    ['turnPort'],
  ),
  v.forward(
    v.check((c) => c.throttleBurst >= c.throttleRate, 'must be at least throttleRate'),
    ['throttleBurst'],
  ),
  v.forward(
    v.check(
      (c) => (c.siteDomain === undefined) === (c.siteCertificateArn === undefined),
      'siteDomain and siteCertificateArn go together: set both or neither',
    ),
    ['siteDomain'],
  ),
  v.forward(
    v.check(
      (c) => (c.turnDomain === undefined) === (c.turnTlsCertificateSecretArn === undefined),
      'turnDomain and turnTlsCertificateSecretArn go together: set both or neither',
    ),
    ['turnDomain'],
  ),
);

/** The validated deployment settings, with every default filled in. */
export type ParleyConfig = v.InferOutput<typeof ParleyConfigSchema>;

/** The names of all settings (without CONTEXT_PREFIX), so a typo in one is an error rather than an ignored key. */
export const CONFIG_KEYS = Object.keys(ParleyConfigSchema.entries) as (keyof ParleyConfig)[];

/** Thrown when the CDK context holds invalid settings; its message lists every problem, one per line. */
export class ParleyConfigError extends Error {
  override readonly name = 'ParleyConfigError';
}

/** The setting whose name differs from `name` only in case, if any: the likely meaning of a typo. */
const settingLike = (name: string) => CONFIG_KEYS.find((known) => known.toLowerCase() === name.toLowerCase());

/**
 * Validates Parley's settings in a CDK context (keys `parley:<setting>`) and fills in defaults; throws a
 * ParleyConfigError listing every problem. Keys without the prefix belong to CDK or other teams and are left alone;
 * one named exactly like a setting is probably meant for us, so `warn` is told.
 */
export function parseParleyConfig(
  context: Record<string, unknown>,
  warn: (message: string) => void = () => {},
): ParleyConfig {
  const problems: string[] = [];
  const ours: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(context)) {
    if (!key.startsWith(CONTEXT_PREFIX)) {
      const meant = settingLike(key);
      if (meant) warn(`context key "${key}" is not read by Parley; did you mean ${CONTEXT_PREFIX}${meant}?`);
      continue;
    }
    const name = key.slice(CONTEXT_PREFIX.length);
    if ((CONFIG_KEYS as string[]).includes(name)) ours[name] = value;
    else {
      const hint = settingLike(name);
      problems.push(`${key}: is not a setting${hint ? ` (did you mean ${CONTEXT_PREFIX}${hint}?)` : ''}`);
    }
  }
  const result = v.safeParse(ParleyConfigSchema, ours);
  if (!result.success) {
    for (const issue of result.issues) {
      const path = v.getDotPath(issue);
      const key = path ? `${CONTEXT_PREFIX}${path}` : 'config';
      // A cross-setting check reports the whole object as its input; show the offending setting's value instead.
      const value = issue.path?.at(-1)?.value ?? issue.input;
      problems.push(`${key}: ${issue.message} (got ${JSON.stringify(value)})`);
    }
  }
  if (problems.length > 0 || !result.success) {
    throw new ParleyConfigError(
      `Invalid Parley settings in the CDK context (cdk.json or -c ${CONTEXT_PREFIX}name=value):\n${problems.map((p) => `  - ${p}`).join('\n')}`,
    );
  }
  return result.output;
}
