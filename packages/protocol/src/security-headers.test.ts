import { describe, expect, it } from 'vitest';
import { contentSecurityPolicy, securityHeaders, webSocketOrigin } from './security-headers';

describe('when building the site security headers', () => {
  it('should allow connections to self and the signaling origin only', () => {
    const csp = contentSecurityPolicy({ connectSrc: [webSocketOrigin('wss://abc.example.com/prod?x=1')] });
    expect(csp).toContain("connect-src 'self' wss://abc.example.com;");
    expect(csp).toContain("default-src 'none'");
    expect(csp).toContain("frame-ancestors 'none'");
  });

  it('should send nosniff, deny framing and no referrer', () => {
    expect(securityHeaders({ connectSrc: [] })).toMatchObject({
      'X-Content-Type-Options': 'nosniff',
      'X-Frame-Options': 'DENY',
      'Referrer-Policy': 'no-referrer',
    });
  });

  it('should reject URLs that are not WebSocket URLs', () => {
    expect(() => webSocketOrigin('https://example.com')).toThrow(/Not a WebSocket URL/);
  });
});
