import { descriptionFingerprint, type Fingerprint, normalizeFingerprint } from './fingerprints';
import type { StatsEntry } from './quality';
import { verificationWords } from './verification-code';

/*
 * Which certificates a call's DTLS really uses, and the words they give. Two sources say so:
 * - the browser's own report: Chromium's getStats() has `transport` stats naming, by `localCertificateId` and
 *   `remoteCertificateId`, the `certificate` stats of the certificates the handshake used;
 * - the descriptions: the single `a=fingerprint` each side's description may carry (a remote description with more
 *   than one is refused before it is applied, see descriptionFingerprint), which the browser checked the handshake
 *   against. Firefox 153 reports no transport or certificate stats at all, so there this is the only source.
 * Where both exist they must name the same certificates; if they do not, someone tampered with the call.
 */

/** What a peer connection shows about its certificates at one moment. */
export interface CertificateEvidence {
  /** The applied local description's SDP (`currentLocalDescription`). */
  localSdp: string | undefined;
  /** The applied remote description's SDP (`currentRemoteDescription`). */
  remoteSdp: string | undefined;
  /** One getStats() report's entries. */
  stats: Iterable<StatsEntry>;
}

/** The certificates a call uses, not yet known, or a contradiction that means tampering. */
export type CertificatesInUse =
  | { state: 'pending' }
  | { state: 'tampered'; reason: string }
  | { state: 'known'; local: Fingerprint; remote: Fingerprint };

/** Reads which certificates DTLS uses on both ends, checking the browser's report against the descriptions. */
export function certificatesInUse(evidence: CertificateEvidence): CertificatesInUse {
  if (!evidence.localSdp || !evidence.remoteSdp) return { state: 'pending' };
  const local = descriptionFingerprint(evidence.localSdp);
  const remote = descriptionFingerprint(evidence.remoteSdp);
  if (local.refused) return { state: 'tampered', reason: `local description: ${local.refused}` };
  if (remote.refused) return { state: 'tampered', reason: `remote description: ${remote.refused}` };
  const entries = new Map<string, StatsEntry>();
  for (const entry of evidence.stats) entries.set(entry.id, entry);
  for (const transport of entries.values()) {
    if (transport.type !== 'transport') continue;
    const used = {
      local: certificateFingerprint(entries, transport.localCertificateId),
      remote: certificateFingerprint(entries, transport.remoteCertificateId),
    };
    if (used.local && used.local !== local.fingerprint)
      return { state: 'tampered', reason: `local certificate ${used.local} is not the described one` };
    if (used.remote && used.remote !== remote.fingerprint)
      return { state: 'tampered', reason: `remote certificate ${used.remote} is not the described one` };
  }
  return { state: 'known', local: local.fingerprint, remote: remote.fingerprint };
}

/** The fingerprint of the `certificate` stats entry `id` names, if there is one. */
function certificateFingerprint(entries: Map<string, StatsEntry>, id: unknown): Fingerprint | undefined {
  const certificate = typeof id === 'string' ? entries.get(id) : undefined;
  const fingerprint = certificate?.fingerprint;
  const fingerprintAlgorithm = certificate?.fingerprintAlgorithm;
  if (typeof fingerprint !== 'string' || typeof fingerprintAlgorithm !== 'string') return undefined;
  return normalizeFingerprint(fingerprintAlgorithm, fingerprint);
}

/** What a verification check found: the words to compare, nothing yet, or tampering. */
export type VerificationResult = { words: string[] } | { tampered: string } | undefined;

/**
 * Follows one peer connection: derives its words once (the derivation is slow on purpose) and treats a change of
 * certificate during the connection as tampering (a browser keeps its DTLS transport for the connection's life).
 */
export class CallVerifier {
  #certificates: string | undefined;
  #words: Promise<string[]> | undefined;

  /** Checks the connection; `weOffered` says whose certificate comes first (the offerer's: the impolite side's). */
  async check(evidence: CertificateEvidence, weOffered: boolean): Promise<VerificationResult> {
    const found = certificatesInUse(evidence);
    if (found.state === 'pending') return undefined;
    if (found.state === 'tampered') return { tampered: found.reason };
    const [offerer, answerer] = weOffered ? [found.local, found.remote] : [found.remote, found.local];
    const certificates = `${offerer}\n${answerer}`;
    if (this.#certificates && this.#certificates !== certificates)
      return { tampered: 'a certificate changed during the call' };
    this.#certificates = certificates;
    this.#words ??= verificationWords(offerer, answerer);
    return { words: await this.#words };
  }
}
