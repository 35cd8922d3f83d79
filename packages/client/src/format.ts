import type { CallStatus } from './call-session';
import type { Transfer } from './file-transfer';
import type { CallQuality } from './quality';

/* Numbers as people read them: sizes, transfer rates, and call quality as a word (the quality panel's figures are
 * in quality-figures.ts, loaded with the panel). */

/** Round trip above this (ms) makes the call "fair": talking over each other starts. */
export const FAIR_ROUND_TRIP_MS = 200;
/** Round trip above this (ms) makes the call "poor". */
export const POOR_ROUND_TRIP_MS = 400;
/** Packet loss above this (%) makes the call "fair": video starts to smear. */
export const FAIR_PACKET_LOSS_PERCENT = 2;
/** Packet loss above this (%) makes the call "poor". */
export const POOR_PACKET_LOSS_PERCENT = 8;

/** "1.4 MB" (decimal units, as file managers show them). */
export function formatBytes(bytes: number): string {
  const units = ['B', 'KB', 'MB', 'GB', 'TB'];
  let value = bytes;
  let unit = 0;
  while (value >= 1000 && unit < units.length - 1) {
    value /= 1000;
    unit += 1;
  }
  return `${value >= 10 || unit === 0 ? Math.round(value) : value.toFixed(1)} ${units[unit]}`;
}

/** One line about a transfer's progress, e.g. "3.4 MB of 10 MB · 1.1 MB/s". */
export function transferProgress(transfer: Transfer<unknown>): string {
  const parts = [`${formatBytes(transfer.bytes)} of ${formatBytes(transfer.size)}`];
  if (transfer.state === 'transferring' && transfer.bytesPerSecond > 0) {
    parts.push(`${formatBytes(transfer.bytesPerSecond)}/s`);
  }
  return parts.join(' · ');
}

/** What a transfer is doing, in words. */
export function transferStatus(transfer: Transfer<unknown>): string {
  const sending = transfer.direction === 'send';
  switch (transfer.state) {
    case 'offered':
      // The size, so a person knows what accepting it means (a 4 GB video on mobile data).
      return sending
        ? `${formatBytes(transfer.size)} · waiting for the other person to accept…`
        : `Wants to send you a file · ${formatBytes(transfer.size)}`;
    case 'transferring':
      return transferProgress(transfer);
    case 'verifying':
      return 'Checking the file…';
    case 'done':
      return `${sending ? 'Sent' : 'Received'} · ${formatBytes(transfer.size)}`;
    case 'declined':
      return transfer.reason ?? (sending ? 'The other person declined it.' : 'You declined it.');
    case 'cancelled':
    case 'failed':
      return transfer.reason ?? 'It did not arrive.';
  }
}

export type QualityLevel = 'good' | 'fair' | 'poor' | 'unknown';

/** The call's quality in one word, for the always-visible indicator. */
export function qualityLevel(quality: CallQuality | undefined): QualityLevel {
  if (!quality?.path) return 'unknown';
  const rtt = quality.roundTripMs ?? 0;
  const loss = quality.packetLossPercent ?? 0;
  if (rtt > POOR_ROUND_TRIP_MS || loss > POOR_PACKET_LOSS_PERCENT) return 'poor';
  if (rtt > FAIR_ROUND_TRIP_MS || loss > FAIR_PACKET_LOSS_PERCENT) return 'fair';
  return 'good';
}

/** The status line of a call, naming the other person ("Guest" without a name). */
export function callStatusText(status: CallStatus, peerName: string | undefined): string {
  const name = peerName || 'Guest';
  switch (status) {
    case 'joining':
      return 'Joining…';
    case 'waiting':
      return 'Waiting for the other person';
    case 'connecting':
      return `Connecting to ${name}…`;
    case 'connected':
      return `In a call with ${name}`;
    case 'reconnecting':
      return 'Reconnecting…';
    case 'peer-left':
      return `${name} left the call`;
    case 'ended':
      return 'Call ended';
  }
}
