import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { turnRestCredentials } from './rest-credentials';

describe('turnRestCredentials', () => {
  const credentials = turnRestCredentials({
    secret: 's3cret',
    label: 'AAAAAAAAAAAAAAAA',
    expiresAtSeconds: 1700007200,
  });

  it('should name the expiry and the label in the username', () => {
    expect(credentials.username).toBe('1700007200:AAAAAAAAAAAAAAAA');
  });

  it('should sign the username with HMAC-SHA1 of the shared secret, base64, as coturn checks it', () => {
    expect(credentials.password).toBe(
      createHmac('sha1', 's3cret').update('1700007200:AAAAAAAAAAAAAAAA').digest('base64'),
    );
    // A known answer, so a change of algorithm or encoding cannot pass by changing both sides of the check.
    expect(credentials.password).toBe('AdOkL4fJK3HnXHSlso8+x96zWXA=');
  });

  it('should give another password for another secret or expiry', () => {
    const other = turnRestCredentials({ secret: 'other', label: 'AAAAAAAAAAAAAAAA', expiresAtSeconds: 1700007200 });
    const later = turnRestCredentials({ secret: 's3cret', label: 'AAAAAAAAAAAAAAAA', expiresAtSeconds: 1700007201 });
    expect(other.password).not.toBe(credentials.password);
    expect(later.password).not.toBe(credentials.password);
  });
});
