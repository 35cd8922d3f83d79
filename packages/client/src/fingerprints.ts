/*
 * The certificate fingerprints of session descriptions, and which remote descriptions a call refuses: the part of
 * the verification that must run before a description is applied (the words themselves load later, see
 * verification-code.ts).
 */

/**
 * Fingerprint hash functions accepted in a remote description. Browsers use sha-256; sha-1 and md5 are allowed by
 * RFC 8122 but second preimages of a 160-bit hash are not out of reach forever, and nobody needs them.
 */
export const ACCEPTED_FINGERPRINT_ALGORITHMS: readonly string[] = ['sha-256', 'sha-384', 'sha-512'];

/** A certificate fingerprint, normalized: `sha-256 AB:CD:…` (hash name lower-case, hex upper-case). */
export type Fingerprint = string;

/** Normalizes a fingerprint's hash name and value, as SDP and getStats() may spell them differently. */
export function normalizeFingerprint(algorithm: string, value: string): Fingerprint {
  return `${algorithm.trim().toLowerCase()} ${value.trim().toUpperCase()}`;
}

/** The distinct `a=fingerprint` values of an SDP, normalized, in the order they first appear. */
export function sdpFingerprints(sdp: string): Fingerprint[] {
  const found = new Set<Fingerprint>();
  for (const line of sdp.split(/\r?\n/)) {
    const match = /^a=fingerprint:(\S+)\s+([0-9A-Fa-f:]+)\s*$/.exec(line);
    if (match) found.add(normalizeFingerprint(match[1] as string, match[2] as string));
  }
  return [...found];
}

/** Why a remote description is refused. */
export type RefusalReason = 'no-fingerprint' | 'several-fingerprints' | 'weak-fingerprint';

/**
 * The one certificate fingerprint a remote description may carry, or why it is refused. Firefox accepts a
 * certificate matching ANY fingerprint listed, so a description listing two (the real peer's as a decoy, and a man
 * in the middle's) would pass a check of the first: only a single distinct fingerprint says which certificate is used.
 */
export function descriptionFingerprint(
  sdp: string,
): { fingerprint: Fingerprint; refused?: undefined } | { fingerprint?: undefined; refused: RefusalReason } {
  const fingerprints = sdpFingerprints(sdp);
  const [only] = fingerprints;
  if (!only) return { refused: 'no-fingerprint' };
  if (fingerprints.length > 1) return { refused: 'several-fingerprints' };
  if (!ACCEPTED_FINGERPRINT_ALGORITHMS.includes(only.split(' ')[0] as string)) return { refused: 'weak-fingerprint' };
  return { fingerprint: only };
}
