import { RemovalPolicy } from 'aws-cdk-lib';
import * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import type { Construct } from 'constructs';
import { acknowledge } from './nag';

/**
 * A secret Secrets Manager generates at deploy time — never in the template, the outputs or a log — of `length`
 * letters and digits: it goes into config files, HMAC keys and URL fragments, where plain alphanumerics need no
 * quoting. `cdk destroy` deletes it; its name is generated, so a later deploy never collides with one awaiting
 * deletion. `whyNotRotated` is the cdk-nag acknowledgement of AwsSolutions-SMG4 (no scheduled rotation).
 */
export function generatedSecret(
  scope: Construct,
  id: string,
  options: { description: string; length: number; whyNotRotated: string },
): secretsmanager.Secret {
  const secret = new secretsmanager.Secret(scope, id, {
    description: options.description,
    generateSecretString: { passwordLength: options.length, excludePunctuation: true, includeSpace: false },
    removalPolicy: RemovalPolicy.DESTROY,
  });
  acknowledge(secret, 'AwsSolutions-SMG4', options.whyNotRotated);
  return secret;
}
