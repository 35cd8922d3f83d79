import { describe, expect, it } from 'vitest';
import { scrubOfferAddresses } from './sdp-scrub';

describe('scrubOfferAddresses', () => {
  const offer = [
    'v=0',
    'o=- 1 2 IN IP4 127.0.0.1',
    's=-',
    'm=audio 50123 UDP/TLS/RTP/SAVPF 111 63',
    'c=IN IP4 198.51.100.7',
    'a=rtcp:50124 IN IP4 198.51.100.7',
    'a=candidate:1 1 udp 2122260223 192.0.2.10 50123 typ host',
    'a=end-of-candidates',
    'a=rtpmap:111 opus/48000/2',
    'm=application 50125 UDP/DTLS/SCTP webrtc-datachannel',
    'c=IN IP6 2001:db8::1',
    '',
  ].join('\r\n');

  it('should leave no address or port of the sender, and keep everything else line for line', () => {
    expect(scrubOfferAddresses(offer)).toBe(
      [
        'v=0',
        'o=- 1 2 IN IP4 127.0.0.1',
        's=-',
        'm=audio 9 UDP/TLS/RTP/SAVPF 111 63',
        'c=IN IP4 0.0.0.0',
        'a=rtcp:9 IN IP4 0.0.0.0',
        'a=rtpmap:111 opus/48000/2',
        'm=application 9 UDP/DTLS/SCTP webrtc-datachannel',
        'c=IN IP4 0.0.0.0',
        '',
      ].join('\r\n'),
    );
  });

  it('should change nothing in an offer made before gathering (idempotent)', () => {
    const scrubbed = scrubOfferAddresses(offer);
    expect(scrubOfferAddresses(scrubbed)).toBe(scrubbed);
  });
});
