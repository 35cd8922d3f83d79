import { describe, expect, it } from 'vitest';
import { descriptionFingerprint, normalizeFingerprint, sdpFingerprints } from './fingerprints';

const sdp = (...lines: string[]) => ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', ...lines, ''].join('\r\n');
const line = (value: string, algorithm = 'sha-256') => `a=fingerprint:${algorithm} ${value}`;
const ALICE = 'AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99';
const BOB = '01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF';
const MALLORY = 'FF:FF:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF';
const fp = (value: string) => `sha-256 ${value}`;

describe('when reading fingerprints from SDP', () => {
  it('should find each distinct a=fingerprint value once, normalizing its case', () => {
    const text = sdp(line(ALICE), 'm=video 9 UDP/TLS/RTP/SAVPF 96', line(BOB.toLowerCase(), 'SHA-256'), line(ALICE));
    expect(sdpFingerprints(text)).toEqual([fp(ALICE), fp(BOB)]);
  });
  it('should find nothing in SDP without fingerprints', () => {
    expect(sdpFingerprints('v=0\r\ns=-\r\n')).toEqual([]);
  });
  it('should spell a getStats() fingerprint the way it spells an SDP one', () => {
    expect(normalizeFingerprint('SHA-256', ALICE.toLowerCase())).toBe(sdpFingerprints(sdp(line(ALICE)))[0]);
  });
});

describe('when a remote description arrives', () => {
  it('should take its single fingerprint, however often it is repeated (one per m-line in Chromium)', () => {
    expect(descriptionFingerprint(sdp(line(ALICE), 'm=audio 9 UDP/TLS/RTP/SAVPF 111', line(ALICE)))).toEqual({
      fingerprint: fp(ALICE),
    });
  });
  it('should refuse one with a decoy fingerprint beside the real one, in either order', () => {
    expect(descriptionFingerprint(sdp(line(BOB), line(MALLORY))).refused).toBe('several-fingerprints');
    expect(descriptionFingerprint(sdp(line(MALLORY), line(BOB))).refused).toBe('several-fingerprints');
  });
  it('should refuse one whose m-lines name different certificates', () => {
    const text = sdp(line(ALICE), 'm=audio 9 UDP/TLS/RTP/SAVPF 111', line(MALLORY));
    expect(descriptionFingerprint(text).refused).toBe('several-fingerprints');
  });
  it('should refuse the same certificate listed under two hash functions (it cannot tell which one is checked)', () => {
    const text = sdp(line(ALICE), line(`${ALICE}:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF`, 'sha-384'));
    expect(descriptionFingerprint(text).refused).toBe('several-fingerprints');
  });
  it('should refuse one without a fingerprint, or with a weak hash function', () => {
    expect(descriptionFingerprint(sdp()).refused).toBe('no-fingerprint');
    expect(descriptionFingerprint(sdp(line('AA:BB:CC', 'sha-1'))).refused).toBe('weak-fingerprint');
  });
});
