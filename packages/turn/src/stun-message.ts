import { createHash, createHmac, randomBytes, timingSafeEqual } from 'node:crypto';
import { formatAddress, parseAddress } from './ip-address';

/**
 * STUN message encoding and decoding (RFC 8489, formerly RFC 5389) with the TURN methods and attributes of RFC 8656.
 * Only what a TURN client needs; written for tests and probes, but strict about the wire format.
 */

export const STUN_MAGIC_COOKIE = 0x2112a442;
const HEADER_BYTES = 20;
const FINGERPRINT_XOR = 0x5354554e;
const INTEGRITY_BYTES = 20;

export const StunMethod = {
  binding: 0x001,
  allocate: 0x003,
  refresh: 0x004,
  send: 0x006,
  data: 0x007,
  createPermission: 0x008,
  channelBind: 0x009,
} as const;

export const StunClass = { request: 0, indication: 1, success: 2, error: 3 } as const;
export type StunClassValue = (typeof StunClass)[keyof typeof StunClass];

export const StunAttribute = {
  mappedAddress: 0x0001,
  username: 0x0006,
  messageIntegrity: 0x0008,
  errorCode: 0x0009,
  channelNumber: 0x000c,
  lifetime: 0x000d,
  xorPeerAddress: 0x0012,
  data: 0x0013,
  realm: 0x0014,
  nonce: 0x0015,
  xorRelayedAddress: 0x0016,
  requestedAddressFamily: 0x0017,
  requestedTransport: 0x0019,
  xorMappedAddress: 0x0020,
  software: 0x8022,
  fingerprint: 0x8028,
} as const;

/** IANA protocol number of UDP, the only transport REQUESTED-TRANSPORT asks for here. */
export const TRANSPORT_UDP = 17;

/** A transport address: IP (v4 or v6, text form) and port. */
export interface TransportAddress {
  address: string;
  port: number;
}

/** One attribute: its type and raw value (unpadded). */
export interface StunAttributeValue {
  type: number;
  value: Buffer;
}

/** A decoded STUN message; attributes keep their raw values, in order. */
export interface StunMessage {
  method: number;
  messageClass: StunClassValue;
  transactionId: Buffer;
  attributes: StunAttributeValue[];
  /** The whole message as received, for integrity checks. */
  raw: Buffer;
}

/** Encodes the 14-bit message type from method and class (RFC 8489 section 5). */
export function messageType(method: number, messageClass: StunClassValue): number {
  return (
    (method & 0x000f) |
    ((method & 0x0070) << 1) |
    ((method & 0x0f80) << 2) |
    ((messageClass & 1) << 4) |
    ((messageClass & 2) << 7)
  );
}

/** Whether a datagram looks like STUN: top two bits zero and the magic cookie in place. */
export function isStunMessage(packet: Buffer): boolean {
  return packet.length >= HEADER_BYTES && (packet[0] ?? 0xff) < 0x40 && packet.readUInt32BE(4) === STUN_MAGIC_COOKIE;
}

/** A fresh 96-bit transaction id. */
export function newTransactionId(): Buffer {
  return randomBytes(12);
}

/** The long-term credential key: MD5(username ":" realm ":" password) (RFC 8489 section 9.2.2, MD5 variant). */
export function longTermKey(username: string, realm: string, password: string): Buffer {
  return createHash('md5').update(`${username}:${realm}:${password}`).digest();
}

/**
 * Builds a STUN message. With `integrityKey` it appends MESSAGE-INTEGRITY (HMAC-SHA1 over the message so far, the
 * length field already counting the attribute), then always a FINGERPRINT (CRC-32 XOR 0x5354554e).
 */
export function encodeStunMessage(message: {
  method: number;
  messageClass: StunClassValue;
  transactionId: Buffer;
  attributes: StunAttributeValue[];
  integrityKey?: Buffer;
}): Buffer {
  const body = Buffer.concat(message.attributes.map((attribute) => encodeAttribute(attribute.type, attribute.value)));
  const header = Buffer.alloc(HEADER_BYTES);
  header.writeUInt16BE(messageType(message.method, message.messageClass), 0);
  header.writeUInt32BE(STUN_MAGIC_COOKIE, 4);
  message.transactionId.copy(header, 8);
  let packet = Buffer.concat([header, body]);
  if (message.integrityKey) {
    packet.writeUInt16BE(packet.length - HEADER_BYTES + 4 + INTEGRITY_BYTES, 2);
    const hmac = createHmac('sha1', message.integrityKey).update(packet).digest();
    packet = Buffer.concat([packet, encodeAttribute(StunAttribute.messageIntegrity, hmac)]);
  }
  packet.writeUInt16BE(packet.length - HEADER_BYTES + 8, 2);
  const fingerprint = Buffer.alloc(4);
  fingerprint.writeUInt32BE((crc32(packet) ^ FINGERPRINT_XOR) >>> 0);
  return Buffer.concat([packet, encodeAttribute(StunAttribute.fingerprint, fingerprint)]);
}

function encodeAttribute(type: number, value: Buffer): Buffer {
  const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  padded.writeUInt16BE(type, 0);
  padded.writeUInt16BE(value.length, 2);
  value.copy(padded, 4);
  return padded;
}

/** Decodes a STUN message; throws on anything malformed, including a wrong FINGERPRINT. */
export function decodeStunMessage(packet: Buffer): StunMessage {
  if (!isStunMessage(packet)) throw new Error('Not a STUN message');
  const length = packet.readUInt16BE(2);
  if (length % 4 !== 0 || HEADER_BYTES + length !== packet.length) throw new Error('Bad STUN message length');
  const type = packet.readUInt16BE(0);
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const messageClass = (((type & 0x0010) >> 4) | ((type & 0x0100) >> 7)) as StunClassValue;
  const attributes: StunMessage['attributes'] = [];
  let offset = HEADER_BYTES;
  while (offset < packet.length) {
    if (offset + 4 > packet.length) throw new Error('Truncated STUN attribute header');
    const attributeType = packet.readUInt16BE(offset);
    const attributeLength = packet.readUInt16BE(offset + 2);
    const end = offset + 4 + attributeLength;
    if (end > packet.length) throw new Error('Truncated STUN attribute');
    if (attributeType === StunAttribute.fingerprint) {
      const expected = (crc32(packet.subarray(0, offset)) ^ FINGERPRINT_XOR) >>> 0;
      if (packet.readUInt32BE(offset + 4) !== expected) throw new Error('Bad STUN FINGERPRINT');
    }
    attributes.push({ type: attributeType, value: packet.subarray(offset + 4, end) });
    offset += 4 + Math.ceil(attributeLength / 4) * 4;
  }
  return { method, messageClass, transactionId: packet.subarray(8, 20), attributes, raw: packet };
}

/** Verifies MESSAGE-INTEGRITY of a received message with the long-term key; false if absent or wrong. */
export function hasValidIntegrity(message: StunMessage, key: Buffer): boolean {
  let offset = HEADER_BYTES;
  for (const attribute of message.attributes) {
    if (attribute.type === StunAttribute.messageIntegrity) {
      const signed = Buffer.from(message.raw.subarray(0, offset));
      signed.writeUInt16BE(offset - HEADER_BYTES + 4 + INTEGRITY_BYTES, 2);
      const expected = createHmac('sha1', key).update(signed).digest();
      return attribute.value.length === INTEGRITY_BYTES && timingSafeEqual(expected, attribute.value);
    }
    offset += 4 + Math.ceil(attribute.value.length / 4) * 4;
  }
  return false;
}

/** The first attribute of a type, if present. */
export function attributeOf(message: StunMessage, type: number): Buffer | undefined {
  return message.attributes.find((attribute) => attribute.type === type)?.value;
}

/** Encodes an XOR-*-ADDRESS value (RFC 8489 section 14.2). */
export function encodeXorAddress(target: TransportAddress, transactionId: Buffer): Buffer {
  const bytes = parseAddress(target.address);
  const value = Buffer.alloc(4 + bytes.length);
  value.writeUInt8(bytes.length === 4 ? 0x01 : 0x02, 1);
  value.writeUInt16BE(target.port ^ (STUN_MAGIC_COOKIE >>> 16), 2);
  const mask = xorMask(transactionId);
  bytes.forEach((byte, i) => {
    value[4 + i] = byte ^ (mask[i] ?? 0);
  });
  return value;
}

/** Decodes an XOR-*-ADDRESS value. */
export function decodeXorAddress(value: Buffer, transactionId: Buffer): TransportAddress {
  const family = value.readUInt8(1);
  const size = family === 0x01 ? 4 : family === 0x02 ? 16 : 0;
  if (size === 0 || value.length < 4 + size) throw new Error(`Bad address family ${family}`);
  const mask = xorMask(transactionId);
  const bytes = Uint8Array.from(value.subarray(4, 4 + size), (byte, i) => byte ^ (mask[i] ?? 0));
  return { address: formatAddress(bytes), port: value.readUInt16BE(2) ^ (STUN_MAGIC_COOKIE >>> 16) };
}

function xorMask(transactionId: Buffer): Buffer {
  const cookie = Buffer.alloc(4);
  cookie.writeUInt32BE(STUN_MAGIC_COOKIE);
  return Buffer.concat([cookie, transactionId]);
}

/** ERROR-CODE as number and reason phrase. */
export function decodeErrorCode(value: Buffer): { code: number; reason: string } {
  return { code: (value.readUInt8(2) & 0x7) * 100 + value.readUInt8(3), reason: value.subarray(4).toString('utf8') };
}

const CRC32_TABLE = Uint32Array.from({ length: 256 }, (_, index) => {
  let crc = index;
  for (let bit = 0; bit < 8; bit++) crc = crc & 1 ? 0xedb88320 ^ (crc >>> 1) : crc >>> 1;
  return crc >>> 0;
});

/** CRC-32 (ISO-HDLC), as STUN's FINGERPRINT uses; Node 20 has no zlib.crc32 yet. */
export function crc32(data: Uint8Array): number {
  let crc = 0xffffffff;
  for (const byte of data) crc = (CRC32_TABLE[(crc ^ byte) & 0xff] ?? 0) ^ (crc >>> 8);
  return (crc ^ 0xffffffff) >>> 0;
}
