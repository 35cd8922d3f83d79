import { describe, expect, it } from 'vitest';
import {
  attributeOf,
  crc32,
  decodeStunMessage,
  decodeXorAddress,
  encodeStunMessage,
  encodeXorAddress,
  hasValidIntegrity,
  longTermKey,
  messageType,
  StunAttribute,
  StunClass,
  StunMethod,
} from './stun-message';

/** RFC 5769 section 2.1: a Binding request with SOFTWARE, PRIORITY, ICE-CONTROLLED, USERNAME, integrity, fingerprint. */
const RFC5769_REQUEST = Buffer.from(
  '000100582112a442b7e7a701bc34d686fa87dfae802200105354554e207465737420636c69656e74002400046e0001ff' +
    '80290008932ff9b151263b36000600096576746a3a68367659202020000800149aeaa70cbfd8cb56781ef2b5b2d3f249' +
    'c1b571a280280004e57a3bcf',
  'hex',
);

/** RFC 5769 section 2.2: a Binding success with XOR-MAPPED-ADDRESS 192.0.2.1:32853, integrity, fingerprint. */
const RFC5769_IPV4_RESPONSE = Buffer.from(
  '0101003c2112a442b7e7a701bc34d686fa87dfae8022000b7465737420766563746f7220002000080001a147e112a643' +
    '000800142b91f599fd9e90c38c7489f92af9ba53f06be7d780280004c07d4c96',
  'hex',
);

/** The short-term password both RFC 5769 samples are signed with. */
const RFC5769_PASSWORD = Buffer.from('VOkJxbRl1RmTxUk/WvJxBt');

describe('STUN messages', () => {
  describe('when reading the RFC 5769 test vectors', () => {
    it('should decode the request, check its fingerprint and verify its integrity', () => {
      const request = decodeStunMessage(RFC5769_REQUEST);
      expect(request.method).toBe(StunMethod.binding);
      expect(request.messageClass).toBe(StunClass.request);
      expect(attributeOf(request, StunAttribute.username)?.toString()).toBe('evtj:h6vY');
      expect(hasValidIntegrity(request, RFC5769_PASSWORD)).toBe(true);
    });

    it('should decode the XOR-MAPPED-ADDRESS of the response', () => {
      const response = decodeStunMessage(RFC5769_IPV4_RESPONSE);
      expect(response.messageClass).toBe(StunClass.success);
      const mapped = attributeOf(response, StunAttribute.xorMappedAddress);
      expect(mapped && decodeXorAddress(mapped, response.transactionId)).toEqual({ address: '192.0.2.1', port: 32853 });
      expect(hasValidIntegrity(response, RFC5769_PASSWORD)).toBe(true);
    });

    it('should reject a wrong key and a corrupted fingerprint', () => {
      expect(hasValidIntegrity(decodeStunMessage(RFC5769_IPV4_RESPONSE), Buffer.from('wrong'))).toBe(false);
      const corrupted = Buffer.from(RFC5769_IPV4_RESPONSE);
      corrupted[corrupted.length - 1] = (corrupted.at(-1) ?? 0) ^ 1;
      expect(() => decodeStunMessage(corrupted)).toThrow(/FINGERPRINT/);
    });
  });

  describe('when encoding', () => {
    it('should encode message types as RFC 8489 and RFC 8656 list them', () => {
      expect(messageType(StunMethod.binding, StunClass.request)).toBe(0x0001);
      expect(messageType(StunMethod.binding, StunClass.success)).toBe(0x0101);
      expect(messageType(StunMethod.allocate, StunClass.error)).toBe(0x0113);
      expect(messageType(StunMethod.send, StunClass.indication)).toBe(0x0016);
      expect(messageType(StunMethod.data, StunClass.indication)).toBe(0x0017);
      expect(messageType(StunMethod.channelBind, StunClass.request)).toBe(0x0009);
    });

    it('should produce messages that decode to the same attributes and verify with the long-term key', () => {
      const key = longTermKey('1700000000:member', 'parley', 'password');
      const transactionId = Buffer.alloc(12, 7);
      const packet = encodeStunMessage({
        method: StunMethod.createPermission,
        messageClass: StunClass.request,
        transactionId,
        attributes: [
          {
            type: StunAttribute.xorPeerAddress,
            value: encodeXorAddress({ address: '::ffff:127.0.0.1', port: 0 }, transactionId),
          },
          { type: StunAttribute.username, value: Buffer.from('1700000000:member') },
        ],
        integrityKey: key,
      });
      const decoded = decodeStunMessage(packet);
      expect(decoded.method).toBe(StunMethod.createPermission);
      const peer = attributeOf(decoded, StunAttribute.xorPeerAddress);
      expect(peer && decodeXorAddress(peer, transactionId)).toEqual({ address: '::ffff:7f00:1', port: 0 });
      expect(attributeOf(decoded, StunAttribute.username)?.toString()).toBe('1700000000:member');
      expect(hasValidIntegrity(decoded, key)).toBe(true);
    });

    it('should compute CRC-32 as ISO-HDLC does', () => {
      expect(crc32(Buffer.from('123456789'))).toBe(0xcbf43926);
    });
  });
});
