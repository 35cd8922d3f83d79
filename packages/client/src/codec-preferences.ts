/*
 * Which video codecs our offers list. Chromium offers every profile of every codec it has (VP9 in four profiles,
 * H.264 in ten), which makes its offer for our layout (microphone, camera, screen, data) about 9.7 KB — over the
 * 8 KB a parked offer may be (MAX_PARKED_OFFER_BYTES), and twice the bytes on every signaling hop. A call needs one
 * codec both sides decode; we keep those every supported browser has:
 * - VP8 (every WebRTC browser), VP9 profile 0 and AV1 (better quality per bit where both sides have them);
 * - H.264 constrained baseline with packetization-mode 1: Safari/iOS decode it in hardware (one of the Safari/iOS
 *   rules in browser-support.ts), and it is the only H.264 profile WebRTC requires (RFC 7742);
 * - the repair formats (rtx, red, ulpfec, flexfec), which serve whatever codec is chosen.
 */

/** The part of RTCRtpCodec this reads (a structural type, so tests can build lists without a browser). */
export interface CodecCapability {
  mimeType: string;
  clockRate: number;
  sdpFmtpLine?: string;
}

const REPAIR_FORMATS = new Set(['video/rtx', 'video/red', 'video/ulpfec', 'video/flexfec-03']);

/** H.264 constrained baseline, level 3.1 (`42e01f`) or baseline (`42001f`), each with packetization-mode 1. */
const KEPT_H264_PROFILES = new Set(['42e01f', '42001f']);

function fmtp(codec: CodecCapability, name: string): string | undefined {
  return new RegExp(`(?:^|;)\\s*${name}=([^;]+)`)
    .exec(codec.sdpFmtpLine ?? '')?.[1]
    ?.trim()
    .toLowerCase();
}

/** True for a codec our offers keep (see the header). */
export function isKeptVideoCodec(codec: CodecCapability): boolean {
  const mime = codec.mimeType.toLowerCase();
  if (REPAIR_FORMATS.has(mime)) return true;
  switch (mime) {
    case 'video/vp8':
    case 'video/av1':
      return true;
    case 'video/vp9':
      return (fmtp(codec, 'profile-id') ?? '0') === '0';
    case 'video/h264':
      return fmtp(codec, 'packetization-mode') === '1' && KEPT_H264_PROFILES.has(fmtp(codec, 'profile-level-id') ?? '');
    default:
      return false;
  }
}

/**
 * Narrows a video transceiver's codecs to the kept ones, in the browser's own order of preference. Leaves it alone
 * where the browser cannot (no setCodecPreferences) or where nothing but repair formats would remain.
 */
export function preferCompactVideoCodecs(transceiver: RTCRtpTransceiver): void {
  const codecs = globalThis.RTCRtpReceiver?.getCapabilities?.('video')?.codecs;
  if (!codecs || typeof transceiver.setCodecPreferences !== 'function') return;
  const kept = codecs.filter(isKeptVideoCodec);
  if (!kept.some((codec) => !REPAIR_FORMATS.has(codec.mimeType.toLowerCase()))) return;
  transceiver.setCodecPreferences(kept);
}
