import { describe, expect, it } from 'vitest';
import {
  type ConnectionVerdict,
  describeResults,
  probeRelay,
  relayTransportOf,
  serversFor,
  type TransportReach,
  testConnection,
} from './connection-test';

describe('When a TURN URL is classified', () => {
  it('should read the transport parameter, defaulting to UDP for turn: and TCP for turns:', () => {
    expect(relayTransportOf('turn:203.0.113.7:3478?transport=udp')).toBe('udp');
    expect(relayTransportOf('turn:203.0.113.7:3478?transport=tcp')).toBe('tcp');
    expect(relayTransportOf('turn:203.0.113.7:443?transport=tcp')).toBe('tcp');
    expect(relayTransportOf('TURN:turn.example.org?TRANSPORT=TCP')).toBe('tcp');
    expect(relayTransportOf('turn:203.0.113.7:3478')).toBe('udp');
    expect(relayTransportOf('turn:[2001:db8::7]:3478')).toBe('udp');
    expect(relayTransportOf('turns:turn.example.org:5349')).toBe('tcp');
    expect(relayTransportOf('turns:turn.example.org:5349?transport=tcp')).toBe('tcp');
  });

  it('should leave out STUN, unknown transports and anything that is not a TURN URL', () => {
    expect(relayTransportOf('stun:203.0.113.7:3478')).toBeUndefined();
    expect(relayTransportOf('stuns:203.0.113.7:5349')).toBeUndefined();
    expect(relayTransportOf('turn:203.0.113.7:3478?transport=sctp')).toBeUndefined();
    expect(relayTransportOf('turn:')).toBeUndefined();
    expect(relayTransportOf('https://203.0.113.7/')).toBeUndefined();
  });

  it('should keep, per transport, only its URLs and their credentials', () => {
    const iceServers = [
      { urls: ['stun:203.0.113.7:3478'] },
      {
        urls: ['turn:203.0.113.7:3478?transport=udp', 'turn:203.0.113.7:3478?transport=tcp', 'turns:t.example:443'],
        username: '1764061200:ticket',
        credential: 'secret',
      },
    ];
    expect(serversFor(iceServers, 'udp')).toEqual([
      { urls: ['turn:203.0.113.7:3478?transport=udp'], username: '1764061200:ticket', credential: 'secret' },
    ]);
    expect(serversFor(iceServers, 'tcp')).toEqual([
      {
        urls: ['turn:203.0.113.7:3478?transport=tcp', 'turns:t.example:443'],
        username: '1764061200:ticket',
        credential: 'secret',
      },
    ]);
    expect(serversFor([{ urls: ['stun:203.0.113.7:3478'] }], 'udp')).toEqual([]);
  });
});

describe('When the results of both transports are in', () => {
  const cases: [TransportReach, TransportReach, ConnectionVerdict][] = [
    ['reached', 'reached', 'works'],
    ['reached', 'not-reached', 'works'],
    ['reached', 'refused', 'works'],
    ['reached', 'untested', 'works'],
    ['not-reached', 'reached', 'tcp-only'],
    ['refused', 'reached', 'tcp-only'],
    ['untested', 'reached', 'tcp-only'],
    ['not-reached', 'not-reached', 'blocked'],
    ['not-reached', 'untested', 'blocked'],
    ['untested', 'not-reached', 'blocked'],
    ['refused', 'not-reached', 'could-not-test'],
    ['not-reached', 'refused', 'could-not-test'],
    ['refused', 'refused', 'could-not-test'],
    ['untested', 'untested', 'could-not-test'],
  ];
  it.each(cases)('should call UDP %s and TCP %s "%s"', (udp, tcp, verdict) => {
    const report = describeResults({ udp, tcp });
    expect(report.verdict).toBe(verdict);
    expect(report.results).toEqual({ udp, tcp });
  });

  it('should say it in plain words: what it means for a call, and what to do', () => {
    expect(describeResults({ udp: 'reached', tcp: 'reached' }).title).toBe('Calls will work from this network.');
    const slow = describeResults({ udp: 'not-reached', tcp: 'reached' });
    expect(`${slow.title} ${slow.detail}`).toMatch(/slower.*more data.*less smooth/s);
    const blocked = describeResults({ udp: 'not-reached', tcp: 'not-reached' });
    expect(blocked.title).toBe('Your network blocks the relay.');
    expect(blocked.detail).toMatch(/other person’s network allows a direct connection.*another network/s);
    for (const report of [slow, blocked]) expect(`${report.title} ${report.detail}`).not.toMatch(/TURN|UDP|ICE/);
    expect(describeResults({ udp: 'refused', tcp: 'refused' }).title).toBe('Could not test your connection.');
  });
});

describe('When there is nothing to test with', () => {
  it('should not try a transport the server offers no URL for', async () => {
    expect(await probeRelay([])).toBe('untested');
  });

  it('should say the pass has expired, without trying, once the credentials are past their expiry', async () => {
    const grant = { iceServers: [{ urls: ['turn:203.0.113.7:3478'], username: 'u', credential: 'c' }] };
    const report = await testConnection({ ...grant, iceExpiresAt: 1_000 }, 2_000);
    expect(report.verdict).toBe('could-not-test');
    expect(report.detail).toMatch(/expired.*Reload/);
  });
});
