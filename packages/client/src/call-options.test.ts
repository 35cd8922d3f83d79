import { describe, expect, it } from 'vitest';
import { iceConfiguration, readCallOptions, withoutTcpTurn } from './call-options';

const SERVERS = [
  { urls: ['stun:203.0.113.7:3478'] },
  {
    urls: ['turn:203.0.113.7:3478?transport=udp', 'turn:203.0.113.7:3478?transport=tcp', 'turns:t.example:443'],
    username: 'u',
    credential: 'c',
  },
];

describe('when reading diagnostic options from the URL', () => {
  it('should default to direct connections without debug', () => {
    expect(readCallOptions('')).toEqual({ forceRelay: false, tcpOnly: false, debug: false });
  });
  it('should read ?relay and ?debug', () => {
    expect(readCallOptions('?relay&debug')).toEqual({ forceRelay: true, tcpOnly: false, debug: true });
  });
  it('should make ?tcp imply relay', () => {
    expect(readCallOptions('?tcp')).toEqual({ forceRelay: true, tcpOnly: true, debug: false });
  });
});

describe('when building the ICE configuration', () => {
  it('should pass the granted servers through and allow every path by default', () => {
    const config = iceConfiguration(SERVERS, readCallOptions(''));
    expect(config.iceServers).toEqual(SERVERS);
    expect(config.iceTransportPolicy).toBe('all');
  });
  it('should force the relay with ?relay', () => {
    expect(iceConfiguration(SERVERS, readCallOptions('?relay')).iceTransportPolicy).toBe('relay');
  });
  it('should keep only TURN over TCP or TLS with ?tcp', () => {
    const config = iceConfiguration(SERVERS, readCallOptions('?tcp'));
    expect(config.iceTransportPolicy).toBe('relay');
    expect(config.iceServers).toEqual([
      { urls: ['turn:203.0.113.7:3478?transport=tcp', 'turns:t.example:443'], username: 'u', credential: 'c' },
    ]);
  });
});

describe('when leaving TURN over TCP for later', () => {
  it('should keep only the UDP TURN and STUN URLs', () => {
    expect(withoutTcpTurn(SERVERS)).toEqual([
      { urls: ['stun:203.0.113.7:3478'] },
      { urls: ['turn:203.0.113.7:3478?transport=udp'], username: 'u', credential: 'c' },
    ]);
  });
});
