import type { IceServer } from '@parley/protocol';
import { turnRestCredentials } from '@parley/turn/rest-credentials';

/** Short-lived TURN credentials for one caller, in the shape the client hands to RTCPeerConnection. */
export interface TurnGrant {
  iceServers: IceServer[];
  /** Epoch ms after which coturn refuses them. */
  iceExpiresAt: number;
}

/**
 * Issues TURN REST API credentials (see `@parley/turn/rest-credentials`) labelled with the ticket id on a private
 * deployment, the member id on an open one.
 */
export function issueTurnCredentials(options: {
  secret: string;
  /** Who the credentials are for; coturn's per-user quota counts by it. */
  label: string;
  turnUrls: readonly string[];
  ttlSeconds: number;
  nowMs: number;
}): TurnGrant {
  const expiry = Math.floor(options.nowMs / 1000) + options.ttlSeconds;
  const iceExpiresAt = expiry * 1000;
  if (options.turnUrls.length === 0) return { iceServers: [], iceExpiresAt };
  const { username, password: credential } = turnRestCredentials({
    secret: options.secret,
    label: options.label,
    expiresAtSeconds: expiry,
  });
  return {
    // The TURN server answers STUN too, so the same host gives server-reflexive candidates for a direct path.
    iceServers: [{ urls: stunUrlsOf(options.turnUrls) }, { urls: [...options.turnUrls], username, credential }],
    iceExpiresAt,
  };
}

/** `stun:host:port` for each distinct host:port among `turn:` URLs (not `turns:`: STUN has no TLS variant here). */
function stunUrlsOf(turnUrls: readonly string[]): string[] {
  const hosts = new Set<string>();
  for (const url of turnUrls) {
    const match = /^turn:([^?]+)/.exec(url);
    if (match?.[1]) hosts.add(`stun:${match[1]}`);
  }
  return [...hosts];
}
