import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import {
  ACCESS_MODES,
  type AccessMode,
  DEFAULT_INVITE_VALIDITY_HOURS,
  MAX_INVITE_VALIDITY_HOURS,
  TURN_CREDENTIAL_TTL_SECONDS,
} from '@parley/protocol';
import { SIGNALING_ENV } from './entry-points';

/** Everything the handlers need from their environment: AWS on Lambda, the local runtime locally. */
export interface SignalingConfig extends AccessConfig {
  tableName: string;
  /** Where PostToConnection goes: `https://{api}.execute-api.{region}.amazonaws.com/{stage}` or the local stand-in. */
  managementEndpoint: string;
  region?: string;
  /** DynamoDB endpoint override (local runtime only). */
  dynamodbEndpoint?: string;
  /** Static credentials (local runtime only; on AWS the function's role is used). */
  credentials?: { accessKeyId: string; secretAccessKey: string };
  turnUrls: string[];
  turnCredentialTtlSeconds: number;
  /** The TURN REST shared secret; called on demand, so implementations cache. */
  turnSecret: () => Promise<string>;
}

/** Caches a lazily loaded value per container; a failed load is retried on the next call. */
export function cached<T>(load: () => Promise<T>): () => Promise<T> {
  let pending: Promise<T> | undefined;
  return () => {
    pending ??= load().catch((error: unknown) => {
      pending = undefined;
      throw error;
    });
    return pending;
  };
}

/** Reads a Secrets Manager secret's string value. */
function secretsManagerValue(client: SecretsManagerClient, secretArn: string, what: string): () => Promise<string> {
  return async () => {
    const result = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
    if (!result.SecretString) throw new Error(`The ${what} is empty`);
    return result.SecretString;
  };
}

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

/** Who may connect: what the `$connect` authorizer needs (and the message handler, which checks again). */
export interface AccessConfig {
  /** `private` (the default): every socket needs a ticket signed with the owner key; `open`: anyone. */
  access: AccessMode;
  /** Reads the owner key (the authorizer only). Called when the cache needs it (see owner-key.ts), so it need not cache. */
  ownerKey?: () => Promise<string>;
  /** How long a guest ticket may be valid; longer ones are refused. */
  inviteValidityHours: number;
  /** Clock in epoch ms (tests move it). */
  now?: () => number;
  /** Powertools log level (default INFO). */
  logLevel?: string;
}

/** Reads the access settings the CDK stack (or the local runtime) put in the environment. */
export function accessConfigFromEnv(
  env: NodeJS.ProcessEnv = process.env,
  secrets: SecretsManagerClient = new SecretsManagerClient({}),
): AccessConfig {
  const access = env[SIGNALING_ENV.accessMode] ?? 'private';
  if (!(ACCESS_MODES as readonly string[]).includes(access)) {
    throw new Error(`${SIGNALING_ENV.accessMode} must be one of ${ACCESS_MODES.join(', ')}`);
  }
  const ownerKeyArn = env[SIGNALING_ENV.ownerKeySecretArn];
  const literalOwnerKey = env[SIGNALING_ENV.ownerKey];
  // The owner key rotates (`pnpm owner-link --rotate`): OwnerKeyCache decides when to read it again.
  const ownerKey = ownerKeyArn
    ? secretsManagerValue(secrets, ownerKeyArn, 'owner key')
    : literalOwnerKey
      ? async () => literalOwnerKey
      : undefined;
  // Only the `$connect` authorizer reads the owner key (and refuses to start without it): the message handler trusts
  // what the authorizer admitted and never sees the key.
  const hours = Number(env[SIGNALING_ENV.inviteValidityHours] ?? DEFAULT_INVITE_VALIDITY_HOURS);
  if (!Number.isInteger(hours) || hours < 1 || hours > MAX_INVITE_VALIDITY_HOURS) {
    throw new Error(
      `${SIGNALING_ENV.inviteValidityHours} must be a whole number from 1 to ${MAX_INVITE_VALIDITY_HOURS}`,
    );
  }
  return { access: access as AccessMode, inviteValidityHours: hours, ...(ownerKey ? { ownerKey } : {}) };
}

/** Reads the configuration the CDK stack (or the local runtime) put in the environment. */
export function signalingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SignalingConfig {
  const secretArn = env[SIGNALING_ENV.turnSecretArn];
  const literalSecret = env[SIGNALING_ENV.turnSecret];
  const secrets = new SecretsManagerClient({});
  let turnSecret: () => Promise<string>;
  if (secretArn) {
    // Read once per container: Secrets Manager calls cost money and latency, and the secret does not rotate.
    turnSecret = cached(secretsManagerValue(secrets, secretArn, 'TURN secret'));
  } else if (literalSecret) {
    turnSecret = async () => literalSecret;
  } else {
    throw new Error(`Set ${SIGNALING_ENV.turnSecretArn} (AWS) or ${SIGNALING_ENV.turnSecret} (local)`);
  }
  const ttl = Number(env[SIGNALING_ENV.turnCredentialTtlSeconds] ?? TURN_CREDENTIAL_TTL_SECONDS);
  const config: SignalingConfig = {
    ...accessConfigFromEnv(env, secrets),
    tableName: required(env, SIGNALING_ENV.tableName),
    managementEndpoint: required(env, SIGNALING_ENV.managementEndpoint),
    turnUrls: (env[SIGNALING_ENV.turnUrls] ?? '').split(',').filter((url) => url.length > 0),
    turnCredentialTtlSeconds: Number.isFinite(ttl) && ttl > 0 ? ttl : TURN_CREDENTIAL_TTL_SECONDS,
    turnSecret,
  };
  const endpoint = env[SIGNALING_ENV.dynamodbEndpoint];
  if (endpoint) config.dynamodbEndpoint = endpoint;
  return config;
}
