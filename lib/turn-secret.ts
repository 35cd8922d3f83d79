import type * as secretsmanager from 'aws-cdk-lib/aws-secretsmanager';
import { Construct } from 'constructs';
import { generatedSecret } from './generated-secret';

/** Length of the generated TURN REST secret: 48 alphanumerics are ~285 bits, far beyond brute force. */
export const TURN_SECRET_LENGTH = 48;

/** The TURN REST shared secret: coturn verifies credentials with it, the signaling handlers issue them with it. */
export class TurnSecret extends Construct {
  readonly secret: secretsmanager.Secret;

  constructor(scope: Construct, id: string) {
    super(scope, id);
    this.secret = generatedSecret(this, 'Secret', {
      description: 'Parley: TURN REST shared secret (coturn static-auth-secret; signaling issues credentials with it)',
      length: TURN_SECRET_LENGTH,
      whyNotRotated:
        'Rotation does not fit: coturn reads the secret once at boot, so a rotated value would break TURN until the host restarts. Only this stack’s roles can read it, and each credential derived from it expires within hours.',
    });
  }
}
