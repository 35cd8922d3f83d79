/*
 * A short code both people can compare by voice. It is derived from the DTLS certificate fingerprints of both
 * ends, which are what actually encrypts the media: if anyone (the signaling server included) swapped a
 * certificate to sit in the middle, the two screens would show different codes.
 */

/** Digits in the verification code. */
export const VERIFICATION_CODE_DIGITS = 6;

/** The `a=fingerprint` values of an SDP, normalized (hash name lower-case, hex upper-case). */
export function sdpFingerprints(sdp: string): string[] {
  const found: string[] = [];
  for (const line of sdp.split(/\r?\n/)) {
    const match = /^a=fingerprint:(\S+)\s+([0-9A-Fa-f:]+)\s*$/.exec(line);
    if (match) found.push(`${match[1]?.toLowerCase()} ${match[2]?.toUpperCase()}`);
  }
  return found;
}

/**
 * The verification code for a call, e.g. "048 213", or undefined while either side has no fingerprint yet.
 * Both sides compute the same code because the fingerprints are sorted before hashing.
 */
export async function verificationCode(localSdp: string, remoteSdp: string): Promise<string | undefined> {
  const local = sdpFingerprints(localSdp);
  const remote = sdpFingerprints(remoteSdp);
  if (local.length === 0 || remote.length === 0) return undefined;
  const all = [...new Set([...local, ...remote])].sort();
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(all.join('\n')));
  const value = new DataView(digest).getUint32(0) % 10 ** VERIFICATION_CODE_DIGITS;
  const digits = String(value).padStart(VERIFICATION_CODE_DIGITS, '0');
  return `${digits.slice(0, 3)} ${digits.slice(3)}`;
}
