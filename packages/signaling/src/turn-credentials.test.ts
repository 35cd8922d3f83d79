import { createHmac } from 'node:crypto';
import { describe, expect, it } from 'vitest';
import { issueTurnCredentials } from './turn-credentials';

const turnUrls = ['turn:203.0.113.7:3478?transport=udp', 'turn:203.0.113.7:3478?transport=tcp'];

describe('issueTurnCredentials', () => {
  const grant = issueTurnCredentials({
    secret: 's3cret',
    label: 'AAAAAAAAAAAAAAAA',
    turnUrls,
    ttlSeconds: 7200,
    nowMs: 1_700_000_000_500,
  });
  const turn = grant.iceServers.find((server) => server.username !== undefined);

  it('should name the expiry and the member in the username', () => {
    expect(turn?.username).toBe('1700007200:AAAAAAAAAAAAAAAA');
    expect(grant.iceExpiresAt).toBe(1_700_007_200_000);
  });

  it('should sign the username with HMAC-SHA1 of the shared secret, as coturn checks it', () => {
    const expected = createHmac('sha1', 's3cret').update('1700007200:AAAAAAAAAAAAAAAA').digest('base64');
    expect(turn?.credential).toBe(expected);
    expect(turn?.urls).toEqual(turnUrls);
  });

  it('should add the STUN address of the same server once', () => {
    expect(grant.iceServers[0]).toEqual({ urls: ['stun:203.0.113.7:3478'] });
  });

  it('should give no servers when no TURN server is configured', () => {
    expect(issueTurnCredentials({ secret: 'x', label: 'm', turnUrls: [], ttlSeconds: 1, nowMs: 0 }).iceServers).toEqual(
      [],
    );
  });
});
