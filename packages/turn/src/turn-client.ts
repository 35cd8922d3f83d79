import { createSocket } from 'node:dgram';
import { connect as connectTcp, isIPv4, type Socket } from 'node:net';
import { connect as connectTls } from 'node:tls';
import {
  attributeOf,
  decodeErrorCode,
  decodeStunMessage,
  decodeXorAddress,
  encodeStunMessage,
  encodeXorAddress,
  hasValidIntegrity,
  isStunMessage,
  longTermKey,
  newTransactionId,
  StunAttribute,
  type StunAttributeValue,
  StunClass,
  type StunMessage,
  StunMethod,
  TRANSPORT_UDP,
  type TransportAddress,
} from './stun-message';

/**
 * A minimal, real TURN client over UDP or TCP (RFC 8656): Allocate (of a UDP relay) with long-term credentials,
 * CreatePermission, Send/Data indications, ChannelBind with ChannelData, Refresh. It exists to prove a coturn
 * configuration from the outside (tests, probes, the launcher's readiness check), the way a browser would use it.
 */

/** How long to wait for one answer before retransmitting a request (UDP may drop it). */
export const STUN_RETRANSMIT_INTERVAL_MS = 250;

/** How long a request may take in total before it fails. */
export const STUN_REQUEST_TIMEOUT_MS = 3_000;

/** Lowest channel number (RFC 8656 section 12). */
export const TURN_FIRST_CHANNEL = 0x4000;

/** A TURN server answered a request with an error response (401, 403, 438, 486 …). */
export class TurnRequestError extends Error {
  override name = 'TurnRequestError';
  constructor(
    readonly code: number,
    readonly reason: string,
    method: string,
  ) {
    super(`${method} failed: ${code} ${reason}`);
  }
}

/** Data relayed to us from a peer, by Data indication or ChannelData. */
export interface RelayedData {
  peer: TransportAddress;
  data: Buffer;
}

/** The result of a successful Allocate. */
export interface TurnAllocation {
  relayed: TransportAddress;
  mapped: TransportAddress;
  lifetimeSeconds: number;
}

/** How the client reaches the server: datagrams, or a stream split back into messages. */
interface TurnTransport {
  /** True over TCP: nothing is lost, so requests are sent once (RFC 8489 section 6.2.2). */
  readonly reliable: boolean;
  send(packet: Buffer): void;
  close(): void;
}

/** One UDP socket or TCP connection talking to one TURN server. */
export class TurnClient {
  private readonly pending = new Map<string, (message: StunMessage) => void>();
  private readonly received: RelayedData[] = [];
  private readonly waiters: Array<() => void> = [];
  private readonly channels = new Map<number, TransportAddress>();
  private credentials: { username: string; realm: string; nonce: Buffer; key: Buffer } | undefined;
  private lastChallenge: { realm: string; nonce: Buffer } | undefined;

  private transport: TurnTransport | undefined;

  private constructor(readonly server: TransportAddress) {}

  /** Opens a UDP socket towards the server (an ephemeral local port on `localAddress`, default: any). */
  static async open(server: TransportAddress, localAddress?: string): Promise<TurnClient> {
    const client = new TurnClient(server);
    const socket = createSocket(isIPv4(server.address) ? 'udp4' : 'udp6');
    socket.on('message', (packet) => client.onPacket(packet));
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.bind({ port: 0, ...(localAddress ? { address: localAddress } : {}) }, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    client.transport = {
      reliable: false,
      send: (packet) => socket.send(packet, server.port, server.address),
      close: () => socket.close(),
    };
    return client;
  }

  /**
   * Opens a TCP connection to the server (TURN over TCP, RFC 8656 section 3.1: the relay itself stays UDP). Rejects
   * with the socket's error when the connection is refused or reset.
   */
  static async openTcp(server: TransportAddress, localAddress?: string): Promise<TurnClient> {
    const socket = connectTcp({
      host: server.address,
      port: server.port,
      ...(localAddress ? { localAddress } : {}),
      noDelay: true,
    });
    return TurnClient.overStream(server, socket, 'connect');
  }

  /**
   * Opens a TLS connection to the server (TURN over TLS, a `turns:` URL), checking its certificate against
   * `servername` as a browser does. Rejects with the socket's error (refused, reset, certificate not valid). `ca`
   * replaces the system's trusted roots (tests with their own certificate authority).
   */
  static async openTls(
    server: TransportAddress,
    servername: string,
    options: { ca?: string } = {},
  ): Promise<TurnClient> {
    const socket = connectTls({ host: server.address, port: server.port, servername, ...options });
    return TurnClient.overStream(server, socket, 'secureConnect');
  }

  /** A client over a connected stream (TCP or TLS): one stream split back into STUN messages and ChannelData. */
  private static async overStream(
    server: TransportAddress,
    socket: Socket,
    readyEvent: 'connect' | 'secureConnect',
  ): Promise<TurnClient> {
    const client = new TurnClient(server);
    await new Promise<void>((resolve, reject) => {
      socket.once('error', reject);
      socket.once(readyEvent, () => {
        socket.off('error', reject);
        resolve();
      });
    });
    // Later errors (a reset by the server) end the connection; pending requests then time out with their name.
    socket.on('error', () => socket.destroy());
    let buffered = Buffer.alloc(0);
    socket.on('data', (chunk: Buffer) => {
      buffered = Buffer.concat([buffered, chunk]);
      for (let length = framedLength(buffered); length <= buffered.length; length = framedLength(buffered)) {
        client.onPacket(buffered.subarray(0, length));
        buffered = buffered.subarray(length);
      }
    });
    client.transport = { reliable: true, send: (packet) => socket.write(packet), close: () => socket.destroy() };
    return client;
  }

  private get link(): TurnTransport {
    if (!this.transport) throw new Error('the TURN client is not open');
    return this.transport;
  }

  /** A STUN Binding request; resolves with our address as the server sees it. */
  async binding(): Promise<TransportAddress> {
    const transactionId = newTransactionId();
    const answer = await this.transact({ method: StunMethod.binding, transactionId, attributes: [] });
    return this.addressOf(answer, StunAttribute.xorMappedAddress, 'Binding');
  }

  /**
   * Allocates a UDP relay. The first attempt carries no credentials; the server's 401 names the realm and nonce,
   * and the second attempt is signed with the long-term key (RFC 8489 section 9.2).
   */
  async allocate(options: {
    username: string;
    password: string;
    lifetimeSeconds?: number;
    /** The relay address family (RFC 8656 REQUESTED-ADDRESS-FAMILY); default: the server's default, IPv4. */
    family?: 'ipv4' | 'ipv6';
  }): Promise<TurnAllocation> {
    const attributes: StunAttributeValue[] = [
      { type: StunAttribute.requestedTransport, value: Buffer.from([TRANSPORT_UDP, 0, 0, 0]) },
    ];
    if (options.lifetimeSeconds !== undefined) attributes.push(lifetimeAttribute(options.lifetimeSeconds));
    if (options.family) {
      const family = Buffer.from([options.family === 'ipv4' ? 0x01 : 0x02, 0, 0, 0]);
      attributes.push({ type: StunAttribute.requestedAddressFamily, value: family });
    }
    const challenge = await this.transact({
      method: StunMethod.allocate,
      transactionId: newTransactionId(),
      attributes,
    }).catch((error: unknown) => error);
    if (!(challenge instanceof TurnRequestError && challenge.code === 401)) {
      throw challenge instanceof Error ? challenge : new Error('Allocate without credentials was not challenged');
    }
    const realm = this.lastChallenge?.realm;
    const nonce = this.lastChallenge?.nonce;
    if (!realm || !nonce) throw new Error('The 401 challenge carried no REALM or NONCE');
    this.credentials = {
      username: options.username,
      realm,
      nonce,
      key: longTermKey(options.username, realm, options.password),
    };
    const answer = await this.authenticated(StunMethod.allocate, 'Allocate', () => attributes);
    const lifetime = attributeOf(answer, StunAttribute.lifetime);
    return {
      relayed: this.addressOf(answer, StunAttribute.xorRelayedAddress, 'Allocate'),
      mapped: this.addressOf(answer, StunAttribute.xorMappedAddress, 'Allocate'),
      lifetimeSeconds: lifetime ? lifetime.readUInt32BE(0) : 0,
    };
  }

  /** Installs a permission for a peer IP (port ignored by TURN). Rejects with {@link TurnRequestError} (e.g. 403). */
  async createPermission(peerAddress: string): Promise<void> {
    await this.authenticated(StunMethod.createPermission, 'CreatePermission', (transactionId) => [
      { type: StunAttribute.xorPeerAddress, value: encodeXorAddress({ address: peerAddress, port: 0 }, transactionId) },
    ]);
  }

  /** Binds a channel number to a peer, so data can flow as compact ChannelData. */
  async channelBind(channel: number, peer: TransportAddress): Promise<void> {
    const number = Buffer.alloc(4);
    number.writeUInt16BE(channel, 0);
    await this.authenticated(StunMethod.channelBind, 'ChannelBind', (transactionId) => [
      { type: StunAttribute.channelNumber, value: number },
      { type: StunAttribute.xorPeerAddress, value: encodeXorAddress(peer, transactionId) },
    ]);
    this.channels.set(channel, peer);
  }

  /** Sends data to a peer through the relay in a Send indication (needs a permission for the peer first). */
  send(peer: TransportAddress, data: Buffer): void {
    const transactionId = newTransactionId();
    const packet = encodeStunMessage({
      method: StunMethod.send,
      messageClass: StunClass.indication,
      transactionId,
      attributes: [
        { type: StunAttribute.xorPeerAddress, value: encodeXorAddress(peer, transactionId) },
        { type: StunAttribute.data, value: data },
      ],
    });
    this.link.send(packet);
  }

  /** Sends data on a bound channel as ChannelData (RFC 8656 section 12.4). */
  sendOnChannel(channel: number, data: Buffer): void {
    const header = Buffer.alloc(4);
    header.writeUInt16BE(channel, 0);
    header.writeUInt16BE(data.length, 2);
    const padding = Buffer.alloc((4 - (data.length % 4)) % 4);
    this.link.send(Buffer.concat([header, data, padding]));
  }

  /** The next data relayed to us from any peer; rejects when nothing arrives within `timeoutMs`. */
  async nextData(timeoutMs = STUN_REQUEST_TIMEOUT_MS): Promise<RelayedData> {
    const deadline = Date.now() + timeoutMs;
    for (;;) {
      const next = this.received.shift();
      if (next) return next;
      const remaining = deadline - Date.now();
      if (remaining <= 0) throw new Error(`No relayed data within ${timeoutMs} ms`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, remaining);
        this.waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Refreshes the allocation; a lifetime of 0 frees it at once (RFC 8656 section 7). */
  async refresh(lifetimeSeconds: number): Promise<void> {
    await this.authenticated(StunMethod.refresh, 'Refresh', () => [lifetimeAttribute(lifetimeSeconds)]);
  }

  /** Closes the socket or connection (does not free the allocation: call `refresh(0)` first for that). */
  close(): void {
    this.link.close();
  }

  /** Sends a signed request; on 438 Stale Nonce, retries once with the fresh nonce the server sent. */
  private async authenticated(
    method: number,
    name: string,
    attributesFor: (transactionId: Buffer) => StunAttributeValue[],
  ): Promise<StunMessage> {
    for (let attempt = 0; ; attempt++) {
      const credentials = this.credentials;
      if (!credentials) throw new Error(`${name} needs an allocation first`);
      const transactionId = newTransactionId();
      try {
        const answer = await this.transact(
          {
            method,
            transactionId,
            attributes: [
              ...attributesFor(transactionId),
              { type: StunAttribute.username, value: Buffer.from(credentials.username) },
              { type: StunAttribute.realm, value: Buffer.from(credentials.realm) },
              { type: StunAttribute.nonce, value: credentials.nonce },
            ],
            integrityKey: credentials.key,
          },
          name,
        );
        if (!hasValidIntegrity(answer, credentials.key)) throw new Error(`${name} answer failed MESSAGE-INTEGRITY`);
        return answer;
      } catch (error) {
        const fresh = this.lastChallenge?.nonce;
        if (attempt === 0 && error instanceof TurnRequestError && error.code === 438 && fresh) {
          credentials.nonce = fresh;
          continue;
        }
        throw error;
      }
    }
  }

  /** Sends a request, retransmitting until an answer with its transaction id arrives or the deadline passes. */
  private transact(
    request: {
      method: number;
      transactionId: Buffer;
      attributes: StunAttributeValue[];
      integrityKey?: Buffer;
    },
    name = 'Request',
  ): Promise<StunMessage> {
    const packet = encodeStunMessage({ ...request, messageClass: StunClass.request });
    const key = request.transactionId.toString('hex');
    return new Promise<StunMessage>((resolve, reject) => {
      const link = this.link;
      const sendOnce = () => link.send(packet);
      const retransmit = link.reliable ? undefined : setInterval(sendOnce, STUN_RETRANSMIT_INTERVAL_MS);
      const timeout = setTimeout(() => {
        finish();
        reject(new Error(`${name} to ${this.server.address}:${this.server.port}: no answer`));
      }, STUN_REQUEST_TIMEOUT_MS);
      const finish = () => {
        clearInterval(retransmit);
        clearTimeout(timeout);
        this.pending.delete(key);
      };
      this.pending.set(key, (answer) => {
        finish();
        if (answer.messageClass === StunClass.success) return resolve(answer);
        const errorCode = attributeOf(answer, StunAttribute.errorCode);
        const { code, reason } = errorCode ? decodeErrorCode(errorCode) : { code: 0, reason: 'no ERROR-CODE' };
        const realm = attributeOf(answer, StunAttribute.realm);
        const nonce = attributeOf(answer, StunAttribute.nonce);
        if (realm && nonce) this.lastChallenge = { realm: realm.toString('utf8'), nonce: Buffer.from(nonce) };
        reject(new TurnRequestError(code, reason, name));
      });
      sendOnce();
    });
  }

  private onPacket(packet: Buffer): void {
    if (isStunMessage(packet)) {
      let message: StunMessage;
      try {
        message = decodeStunMessage(packet);
      } catch {
        return; // Not a well-formed answer: ignore it, as a client must.
      }
      if (message.messageClass === StunClass.indication && message.method === StunMethod.data) {
        const peer = attributeOf(message, StunAttribute.xorPeerAddress);
        const data = attributeOf(message, StunAttribute.data);
        if (peer && data)
          this.deliver({ peer: decodeXorAddress(peer, message.transactionId), data: Buffer.from(data) });
        return;
      }
      this.pending.get(message.transactionId.toString('hex'))?.(message);
      return;
    }
    if (packet.length >= 4) {
      const peer = this.channels.get(packet.readUInt16BE(0));
      const length = packet.readUInt16BE(2);
      if (peer && 4 + length <= packet.length)
        this.deliver({ peer, data: Buffer.from(packet.subarray(4, 4 + length)) });
    }
  }

  private deliver(data: RelayedData): void {
    this.received.push(data);
    for (const wake of this.waiters.splice(0)) wake();
  }

  private addressOf(message: StunMessage, type: number, name: string): TransportAddress {
    const value = attributeOf(message, type);
    if (!value) throw new Error(`${name} answer lacks attribute 0x${type.toString(16)}`);
    return decodeXorAddress(value, message.transactionId);
  }
}

/**
 * The length of the first STUN message or ChannelData frame in a TCP stream, or Infinity until its header has
 * arrived. Over TCP, ChannelData is padded to a multiple of 4 bytes (RFC 8656 section 12.5).
 */
function framedLength(stream: Buffer): number {
  if (stream.length < 4) return Number.POSITIVE_INFINITY;
  const length = stream.readUInt16BE(2);
  const isChannelData = ((stream[0] ?? 0) & 0xc0) === 0x40;
  return isChannelData ? 4 + Math.ceil(length / 4) * 4 : 20 + length;
}

function lifetimeAttribute(seconds: number): StunAttributeValue {
  const value = Buffer.alloc(4);
  value.writeUInt32BE(seconds);
  return { type: StunAttribute.lifetime, value };
}
