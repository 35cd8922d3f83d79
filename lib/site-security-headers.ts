import { securityHeaders, webSocketOrigin } from '@parley/protocol';
import { Duration } from 'aws-cdk-lib';
import * as cloudfront from 'aws-cdk-lib/aws-cloudfront';

const REFERRER_POLICIES = new Set<string>(Object.values(cloudfront.HeadersReferrerPolicy));

/** Headers CloudFront only sets through its typed security-header settings (it rejects them as custom headers). */
const TYPED_HEADERS = new Set([
  'content-security-policy',
  'strict-transport-security',
  'x-content-type-options',
  'x-frame-options',
  'referrer-policy',
]);

/**
 * The site's response-headers settings for CloudFront, translated from the one shared definition in
 * `@parley/protocol` that the local static server sends too. A header CloudFront cannot express fails the synth.
 */
export function siteResponseHeaders(
  signalingUrl: string,
): Pick<cloudfront.ResponseHeadersPolicyProps, 'securityHeadersBehavior' | 'customHeadersBehavior'> {
  const headers = new Map(
    Object.entries(securityHeaders({ connectSrc: [webSocketOrigin(signalingUrl)] })).map(([name, value]) => [
      name.toLowerCase(),
      value,
    ]),
  );
  const required = (name: string): string => {
    const value = headers.get(name);
    if (value === undefined) throw new Error(`The shared security headers lack ${name}`);
    return value;
  };

  const hsts = /^max-age=(\d+)(; includeSubDomains)?(; preload)?$/i.exec(required('strict-transport-security'));
  if (!hsts?.[1]) throw new Error(`Unsupported Strict-Transport-Security: ${required('strict-transport-security')}`);
  if (required('x-content-type-options') !== 'nosniff') throw new Error('X-Content-Type-Options must be nosniff');
  const frameOption = required('x-frame-options').toUpperCase();
  if (frameOption !== 'DENY' && frameOption !== 'SAMEORIGIN')
    throw new Error(`Unsupported X-Frame-Options: ${frameOption}`);
  const referrerPolicy = required('referrer-policy');
  if (!REFERRER_POLICIES.has(referrerPolicy)) throw new Error(`Unsupported Referrer-Policy: ${referrerPolicy}`);

  const customHeaders = [...headers]
    .filter(([name]) => !TYPED_HEADERS.has(name))
    .map(([header, value]) => ({ header, value, override: true }));
  return {
    securityHeadersBehavior: {
      contentSecurityPolicy: { contentSecurityPolicy: required('content-security-policy'), override: true },
      strictTransportSecurity: {
        accessControlMaxAge: Duration.seconds(Number(hsts[1])),
        includeSubdomains: Boolean(hsts[2]),
        preload: Boolean(hsts[3]),
        override: true,
      },
      contentTypeOptions: { override: true },
      frameOptions: { frameOption: frameOption as cloudfront.HeadersFrameOption, override: true },
      referrerPolicy: { referrerPolicy: referrerPolicy as cloudfront.HeadersReferrerPolicy, override: true },
    },
    ...(customHeaders.length > 0 ? { customHeadersBehavior: { customHeaders } } : {}),
  };
}
