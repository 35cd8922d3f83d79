import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TURN_CREDENTIAL_TTL_SECONDS } from '@parley/protocol';
import { SIGNALING_ENV } from './entry-points';

/** Everything the handlers need from their environment: AWS on Lambda, the local runtime locally. */
export interface SignalingConfig {
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
  /** Clock in epoch ms (tests move it). */
  now?: () => number;
  /** Powertools log level (default INFO). */
  logLevel?: string;
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

function required(env: NodeJS.ProcessEnv, name: string): string {
  const value = env[name];
  if (!value) throw new Error(`Missing environment variable ${name}`);
  return value;
}

/** Reads the configuration the CDK stack (or the local runtime) put in the environment. */
export function signalingConfigFromEnv(env: NodeJS.ProcessEnv = process.env): SignalingConfig {
  const secretArn = env[SIGNALING_ENV.turnSecretArn];
  const literalSecret = env[SIGNALING_ENV.turnSecret];
  let turnSecret: () => Promise<string>;
  if (secretArn) {
    // Read once per container: Secrets Manager calls cost money and latency, and the secret does not rotate.
    const client = new SecretsManagerClient({});
    turnSecret = cached(async () => {
      const result = await client.send(new GetSecretValueCommand({ SecretId: secretArn }));
      if (!result.SecretString) throw new Error('The TURN secret is empty');
      return result.SecretString;
    });
  } else if (literalSecret) {
    turnSecret = async () => literalSecret;
  } else {
    throw new Error(`Set ${SIGNALING_ENV.turnSecretArn} (AWS) or ${SIGNALING_ENV.turnSecret} (local)`);
  }
  const ttl = Number(env[SIGNALING_ENV.turnCredentialTtlSeconds] ?? TURN_CREDENTIAL_TTL_SECONDS);
  const config: SignalingConfig = {
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
