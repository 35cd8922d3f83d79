import type { CallTimings } from './call-timings';
import type { CallQuality } from './quality';

/* The quality panel's figures as people read them (loaded with the panel, a lazy chunk, so not in format.ts). */

/** "850 kbit/s", "2.4 Mbit/s". */
export function formatBitrate(kbps: number): string {
  return kbps >= 1000 ? `${(kbps / 1000).toFixed(1)} Mbit/s` : `${Math.round(kbps)} kbit/s`;
}

/** "0.25 s" under ten seconds, whole seconds above. */
export function formatSeconds(ms: number): string {
  return ms < 10_000 ? `${(ms / 1000).toFixed(2)} s` : `${Math.round(ms / 1000)} s`;
}

/** The rows of the quality panel: [label, value]; "–" where nothing is known yet. */
export function qualityRows(quality: CallQuality | undefined, timings: CallTimings): [string, string][] {
  const dash = '–';
  const path = quality?.path;
  const video = quality?.video;
  const maybe = <T>(value: T | undefined, show: (value: T) => string) => (value === undefined ? dash : show(value));
  return [
    ['Connection', path ? `${path.relayed ? 'Relayed' : 'Direct'} (${path.protocol.toUpperCase()})` : dash],
    ['Round trip', maybe(quality?.roundTripMs, (ms) => `${ms} ms`)],
    ['Receiving', maybe(quality?.receiveKbps, formatBitrate)],
    ['Sending', maybe(quality?.sendKbps, formatBitrate)],
    ['Packet loss', maybe(quality?.packetLossPercent, (p) => `${p} %`)],
    [
      'Video',
      maybe(
        video,
        (v) =>
          `${v.width}×${v.height}${v.framesPerSecond === undefined ? '' : `, ${Math.round(v.framesPerSecond)} fps`}`,
      ),
    ],
    ['Call setup', maybe(timings.setupMs, formatSeconds)],
    ['First frame', maybe(timings.firstFrameMs, formatSeconds)],
  ];
}
