import { describe, expect, it } from 'vitest';
import { type CodecCapability, isKeptVideoCodec } from './codec-preferences';

/** Chromium 156's video receive capabilities, in its order (abridged to one of each kind that matters). */
const CHROMIUM: CodecCapability[] = [
  { mimeType: 'video/VP8', clockRate: 90000 },
  { mimeType: 'video/rtx', clockRate: 90000 },
  { mimeType: 'video/VP9', clockRate: 90000, sdpFmtpLine: 'profile-id=0' },
  { mimeType: 'video/VP9', clockRate: 90000, sdpFmtpLine: 'profile-id=2' },
  { mimeType: 'video/VP9', clockRate: 90000, sdpFmtpLine: 'profile-id=1' },
  {
    mimeType: 'video/H264',
    clockRate: 90000,
    sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
  },
  {
    mimeType: 'video/H264',
    clockRate: 90000,
    sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=0;profile-level-id=42001f',
  },
  {
    mimeType: 'video/H264',
    clockRate: 90000,
    sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
  },
  {
    mimeType: 'video/H264',
    clockRate: 90000,
    sdpFmtpLine: 'level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=640c1f',
  },
  { mimeType: 'video/AV1', clockRate: 90000, sdpFmtpLine: 'level-idx=5;profile=0;tier=0' },
  { mimeType: 'video/H265', clockRate: 90000, sdpFmtpLine: 'level-id=156;profile-id=1;tier-flag=0;tx-mode=SRST' },
  { mimeType: 'video/red', clockRate: 90000 },
  { mimeType: 'video/ulpfec', clockRate: 90000 },
  { mimeType: 'video/flexfec-03', clockRate: 90000, sdpFmtpLine: 'repair-window=10000000' },
];

describe('isKeptVideoCodec', () => {
  it('should keep VP8, VP9 profile 0, AV1, constrained-baseline H.264 in mode 1, and every repair format', () => {
    expect(CHROMIUM.filter(isKeptVideoCodec).map((c) => `${c.mimeType} ${c.sdpFmtpLine ?? ''}`.trim())).toEqual([
      'video/VP8',
      'video/rtx',
      'video/VP9 profile-id=0',
      'video/H264 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42001f',
      'video/H264 level-asymmetry-allowed=1;packetization-mode=1;profile-level-id=42e01f',
      'video/AV1 level-idx=5;profile=0;tier=0',
      'video/red',
      'video/ulpfec',
      'video/flexfec-03 repair-window=10000000',
    ]);
  });

  it('should read a VP9 without a profile as profile 0, and be blind to letter case', () => {
    expect(isKeptVideoCodec({ mimeType: 'video/vp9', clockRate: 90000 })).toBe(true);
    expect(
      isKeptVideoCodec({
        mimeType: 'video/h264',
        clockRate: 90000,
        sdpFmtpLine: 'packetization-mode=1;profile-level-id=42E01F',
      }),
    ).toBe(true);
  });
});
