import { createHmac } from 'node:crypto';

/*
 * TURN REST API credentials (the scheme coturn's `use-auth-secret` checks), defined once for both sides: the signaling
 * server issues them to callers, and the test TURN client presents them to a real coturn. The username is
 * `<expiry epoch seconds>:<label>` and the password base64(HMAC-SHA1(secret, username)); nothing is stored, coturn
 * recomputes the HMAC and checks the expiry itself. Its own entry point (`@parley/turn/rest-credentials`), so the
 * signaling Lambda bundles this file and not the rest of the package.
 */

/** A TURN REST username and its password. */
export interface TurnRestCredentials {
  username: string;
  password: string;
}

/** The credentials coturn accepts until `expiresAtSeconds` for `label` (its per-user quota counts by the label). */
export function turnRestCredentials(options: {
  secret: string;
  label: string;
  expiresAtSeconds: number;
}): TurnRestCredentials {
  const username = `${options.expiresAtSeconds}:${options.label}`;
  return { username, password: createHmac('sha1', options.secret).update(username).digest('base64') };
}
