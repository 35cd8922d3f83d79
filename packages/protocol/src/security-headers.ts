/** HSTS lifetime in seconds: two years, the value browsers' preload lists expect. */
export const HSTS_MAX_AGE_SECONDS = 2 * 365 * 24 * 60 * 60;

/** The origin (`wss://host[:port]`) of a WebSocket URL. */
export function webSocketOrigin(url: string): string {
  const match = /^(wss?:\/\/[^/?#]+)/.exec(url);
  if (!match?.[1]) throw new Error(`Not a WebSocket URL: ${url}`);
  return match[1];
}

/**
 * The Content Security Policy of the site: only its own files, plus the given extra `connect-src` origins (the
 * signaling socket). TURN traffic is not subject to CSP.
 */
export function contentSecurityPolicy(options: { connectSrc: readonly string[] }): string {
  return [
    "default-src 'none'",
    "script-src 'self'",
    "style-src 'self'",
    "img-src 'self' data:",
    "media-src 'self' blob:",
    ["connect-src 'self'", ...options.connectSrc].join(' '),
    "manifest-src 'self'",
    "base-uri 'none'",
    "form-action 'none'",
    "frame-ancestors 'none'",
  ].join('; ');
}

/**
 * The security headers on every response of the site, one definition for both CloudFront's response-headers
 * policy and the local static server: CSP, HSTS, nosniff, no framing, no referrer.
 */
export function securityHeaders(options: { connectSrc: readonly string[] }): Record<string, string> {
  return {
    'Content-Security-Policy': contentSecurityPolicy(options),
    'Strict-Transport-Security': `max-age=${HSTS_MAX_AGE_SECONDS}; includeSubDomains`,
    'X-Content-Type-Options': 'nosniff',
    'X-Frame-Options': 'DENY',
    'Referrer-Policy': 'no-referrer',
  };
}
