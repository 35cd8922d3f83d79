import { OWNER_KEY_LENGTH } from '@parley/protocol';
import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { generatedSecret } from './generated-secret';

/**
 * The owner key of a private deployment, in the shape @parley/protocol's access.ts expects (OWNER_KEY_PATTERN): read
 * by the `$connect` authorizer to check tickets, and by the owner with `pnpm owner-link`, which also rotates it.
 */
export class OwnerKey extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = generatedSecret(this, 'Secret', {
      description: 'Parley: the owner key (signs invitation tickets; `pnpm owner-link` prints the owner link)',
      length: OWNER_KEY_LENGTH,
      whyNotRotated:
        'The owner rotates it on purpose with `pnpm owner-link --rotate` (old owner links and invitations then stop working); a scheduled rotation would lock the owner out of their own deployment.',
    });
  }
}
