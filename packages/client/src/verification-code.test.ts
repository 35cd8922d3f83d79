import { describe, expect, it } from 'vitest';
import { sdpFingerprints, verificationCode } from './verification-code';

const sdp = (...fingerprints: string[]) =>
  ['v=0', 'o=- 1 2 IN IP4 127.0.0.1', 's=-', ...fingerprints.map((f) => `a=fingerprint:sha-256 ${f}`), ''].join('\r\n');
const ALICE = 'AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99';
const BOB = '01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF';
const MALLORY = 'FF:FF:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF';

describe('when reading fingerprints from SDP', () => {
  it('should find every a=fingerprint line and normalize its case', () => {
    const text = `${sdp(ALICE)}m=video 9 UDP/TLS/RTP/SAVPF 96\r\na=fingerprint:SHA-256 ${BOB.toLowerCase()}\r\n`;
    expect(sdpFingerprints(text)).toEqual([`sha-256 ${ALICE}`, `sha-256 ${BOB}`]);
  });
  it('should find nothing in SDP without fingerprints', () => {
    expect(sdpFingerprints('v=0\r\ns=-\r\n')).toEqual([]);
  });
});

describe('when both sides compute the code', () => {
  it('should give both sides the same six digits', async () => {
    const onAlice = await verificationCode(sdp(ALICE), sdp(BOB));
    const onBob = await verificationCode(sdp(BOB), sdp(ALICE));
    expect(onAlice).toMatch(/^\d{3} \d{3}$/);
    expect(onAlice).toBe(onBob);
  });

  it('should not depend on repeated per-media fingerprint lines', async () => {
    expect(await verificationCode(sdp(ALICE, ALICE), sdp(BOB))).toBe(await verificationCode(sdp(ALICE), sdp(BOB)));
  });

  it('should differ when someone in the middle substitutes a certificate', async () => {
    const onAlice = await verificationCode(sdp(ALICE), sdp(MALLORY));
    const onBob = await verificationCode(sdp(BOB), sdp(MALLORY));
    expect(onAlice).not.toBe(onBob);
  });

  it('should be undefined until both descriptions carry fingerprints', async () => {
    expect(await verificationCode(sdp(ALICE), 'v=0\r\n')).toBeUndefined();
  });
});
