import { describe, expect, it } from 'vitest';
import { CallVerifier, certificatesInUse } from './call-verification';
import type { StatsEntry } from './quality';
import { verificationWords } from './verification-code';

const ALICE = 'AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99:AA:BB:CC:DD:EE:FF:00:11:22:33:44:55:66:77:88:99';
const BOB = '01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF';
const MALLORY = 'FF:FF:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF:01:23:45:67:89:AB:CD:EF';
const sdp = (...values: string[]) =>
  ['v=0', 's=-', ...values.map((value) => `a=fingerprint:sha-256 ${value}`), ''].join('\r\n');

/** Chromium's shape: a transport naming its two certificate entries. */
function chromiumStats(local: string, remote: string): StatsEntry[] {
  return [
    {
      id: 'T01',
      type: 'transport',
      dtlsState: 'connected',
      localCertificateId: 'CFlocal',
      remoteCertificateId: 'CFremote',
    },
    { id: 'CFlocal', type: 'certificate', fingerprint: local, fingerprintAlgorithm: 'sha-256' },
    { id: 'CFremote', type: 'certificate', fingerprint: remote, fingerprintAlgorithm: 'sha-256' },
  ];
}

describe('when reading which certificates a call uses', () => {
  it('should wait until both descriptions are applied', () => {
    expect(certificatesInUse({ localSdp: sdp(ALICE), remoteSdp: undefined, stats: [] })).toEqual({ state: 'pending' });
  });

  it('should take them from the descriptions where the browser reports no certificates (Firefox)', () => {
    expect(certificatesInUse({ localSdp: sdp(ALICE), remoteSdp: sdp(BOB), stats: [] })).toEqual({
      state: 'known',
      local: `sha-256 ${ALICE}`,
      remote: `sha-256 ${BOB}`,
    });
  });

  it('should accept the browser report when it names the described certificates (Chromium)', () => {
    const found = certificatesInUse({ localSdp: sdp(ALICE), remoteSdp: sdp(BOB), stats: chromiumStats(ALICE, BOB) });
    expect(found.state).toBe('known');
  });

  it('should call it tampering when DTLS used a certificate the remote description does not name', () => {
    const found = certificatesInUse({
      localSdp: sdp(ALICE),
      remoteSdp: sdp(BOB),
      stats: chromiumStats(ALICE, MALLORY),
    });
    expect(found).toMatchObject({ state: 'tampered', reason: expect.stringMatching(/remote certificate/) });
  });

  it('should call it tampering when our own certificate is not the one we described', () => {
    const found = certificatesInUse({ localSdp: sdp(ALICE), remoteSdp: sdp(BOB), stats: chromiumStats(MALLORY, BOB) });
    expect(found).toMatchObject({ state: 'tampered', reason: expect.stringMatching(/local certificate/) });
  });

  it('should call a remote description with several fingerprints tampering', () => {
    const found = certificatesInUse({ localSdp: sdp(ALICE), remoteSdp: sdp(BOB, MALLORY), stats: [] });
    expect(found).toMatchObject({ state: 'tampered', reason: 'remote description: several-fingerprints' });
  });
});

describe('when both people check their call', () => {
  it('should show both the same words: the offerer’s certificate first on both sides', async () => {
    const onAlice = await new CallVerifier().check({ localSdp: sdp(ALICE), remoteSdp: sdp(BOB), stats: [] }, true);
    const onBob = await new CallVerifier().check(
      { localSdp: sdp(BOB), remoteSdp: sdp(ALICE), stats: chromiumStats(BOB, ALICE) },
      false,
    );
    expect(onAlice).toEqual({ words: await verificationWords(`sha-256 ${ALICE}`, `sha-256 ${BOB}`) });
    expect(onBob).toEqual(onAlice);
  });

  it('should call a certificate that changes during the connection tampering', async () => {
    const verifier = new CallVerifier();
    await verifier.check({ localSdp: sdp(ALICE), remoteSdp: sdp(BOB), stats: [] }, true);
    expect(await verifier.check({ localSdp: sdp(ALICE), remoteSdp: sdp(MALLORY), stats: [] }, true)).toEqual({
      tampered: 'a certificate changed during the call',
    });
  });

  it('should have nothing to show before the connection is described', async () => {
    expect(
      await new CallVerifier().check({ localSdp: undefined, remoteSdp: undefined, stats: [] }, true),
    ).toBeUndefined();
  });
});
