/**
 * What the owner's own tools read from a deployed stack, with the deployer's AWS credentials: its outputs
 * (CloudFormation DescribeStacks) and the owner key (Secrets Manager). Used by `pnpm owner-link` and
 * `pnpm check-deployment`; never by a test against AWS (tests point `client` at a stand-in on loopback).
 */
import {
  CloudFormationClient,
  type CloudFormationClientConfig,
  DescribeStacksCommand,
} from '@aws-sdk/client-cloudformation';
import { GetSecretValueCommand, PutSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { createOwnerKey, isOwnerKey, ownerLink } from '@parley/protocol';
import { OWNER_KEY_CACHE_MS } from '@parley/signaling';
import { OWNER_KEY_OUTPUT, SITE_URL_OUTPUT } from '../lib/parley-stack';

/** Region, endpoint and credentials for both clients (the defaults: the caller's AWS configuration). */
export type AwsClientConfig = CloudFormationClientConfig;

/** A stack's outputs by key; throws with what to check when the stack cannot be read. */
export async function stackOutputs(stackName: string, client: AwsClientConfig = {}): Promise<Map<string, string>> {
  const cloudFormation = new CloudFormationClient(client);
  try {
    const answer = await cloudFormation
      .send(new DescribeStacksCommand({ StackName: stackName }))
      .catch((error: Error) => {
        throw new Error(
          `cannot read the stack "${stackName}": ${error.message}. Check that your AWS credentials and region are the ones you deployed with (--region), and the stack's name (--stack).`,
        );
      });
    const outputs = answer.Stacks?.[0]?.Outputs ?? [];
    return new Map(
      outputs.flatMap((o) => (o.OutputKey && o.OutputValue !== undefined ? [[o.OutputKey, o.OutputValue]] : [])),
    );
  } finally {
    cloudFormation.destroy();
  }
}

/** The owner key's secret ARN from the outputs; throws when the deployment has none (`access=open`). */
export function ownerKeySecretArn(stackName: string, outputs: Map<string, string>): string {
  const arn = outputs.get(OWNER_KEY_OUTPUT);
  if (!arn) {
    throw new Error(
      `the stack "${stackName}" has no ${OWNER_KEY_OUTPUT} output: it is open to anyone (parley:access=open), or its deployment is older than owner keys (deploy again).`,
    );
  }
  return arn;
}

/** Reads the owner key. */
export async function readOwnerKey(secretArn: string, client: AwsClientConfig = {}): Promise<string> {
  const secrets = new SecretsManagerClient(client);
  try {
    const answer = await secrets.send(new GetSecretValueCommand({ SecretId: secretArn }));
    const key = answer.SecretString?.trim();
    if (!isOwnerKey(key)) throw new Error(`the secret ${secretArn} does not hold an owner key`);
    return key;
  } finally {
    secrets.destroy();
  }
}

/** Replaces the owner key with a fresh one and answers it: every owner link and invitation made before stops working. */
export async function rotateOwnerKey(secretArn: string, client: AwsClientConfig = {}): Promise<string> {
  const key = createOwnerKey();
  const secrets = new SecretsManagerClient(client);
  try {
    await secrets.send(new PutSecretValueCommand({ SecretId: secretArn, SecretString: key }));
    return key;
  } finally {
    secrets.destroy();
  }
}

/** The owner link of `stackName` (rotating the key first when asked), and a note for the person. */
export async function ownerLinkOf(
  stackName: string,
  options: { rotate?: boolean; client?: AwsClientConfig } = {},
): Promise<{ link: string; note: string }> {
  const outputs = await stackOutputs(stackName, options.client);
  const siteUrl = outputs.get(SITE_URL_OUTPUT);
  if (!siteUrl)
    throw new Error(`the stack "${stackName}" has no ${SITE_URL_OUTPUT} output: is its deployment complete?`);
  const secretArn = ownerKeySecretArn(stackName, outputs);
  const key = options.rotate
    ? await rotateOwnerKey(secretArn, options.client)
    : await readOwnerKey(secretArn, options.client);
  const minutes = Math.ceil(OWNER_KEY_CACHE_MS / 60_000);
  const note = options.rotate
    ? `The owner key was replaced: within ${minutes} minutes every earlier owner link and invitation stops working. Open this link in your browser(s) again.`
    : 'Open it in your browser: it keeps the key and removes it from the address bar. Keep this link to yourself.';
  return { link: ownerLink(siteUrl, key), note };
}
