import { randomBytes } from 'node:crypto';

/** Random bytes behind an id: 8 bytes encode to 12 base64 characters ending in '=' — the shape AWS uses. */
const ID_BYTES = 8;

/**
 * A connection id (or request id) shaped like API Gateway's, e.g. `L0SM9cOFvHcCIhw=`. Real ids contain `=` and may
 * contain `+` or `/`, so code that forgets to URL-encode them fails locally too.
 */
export function awsStyleId(): string {
  return randomBytes(ID_BYTES).toString('base64');
}
