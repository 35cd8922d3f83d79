import { createSocket, type Socket } from 'node:dgram';
import { existsSync } from 'node:fs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoturnProcess, isCoturnInstalled, startCoturn } from './coturn-process';
import { turnRestCredentials } from './rest-credentials';
import { TurnClient, TurnRequestError } from './turn-client';

const SECRET = 'local-test-secret-0123456789';
/** A relay range of its own, away from the default range other local coturns use. */
const RELAY_RANGE = { minPort: 41000, maxPort: 41099 };

/** A UDP port that is free on loopback right now. */
async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

/** A UDP peer on loopback that answers every datagram with `echo:` + the datagram. */
async function startEchoPeer(): Promise<{ socket: Socket; port: number }> {
  const socket = createSocket('udp4');
  socket.on('message', (message, sender) =>
    socket.send(Buffer.concat([Buffer.from('echo:'), message]), sender.port, sender.address),
  );
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  return { socket, port: socket.address().port };
}

const nowSeconds = () => Math.floor(Date.now() / 1000);

describe('startCoturn', () => {
  it('should find coturn installed (these tests need the real turnserver)', () => {
    expect(isCoturnInstalled()).toBe(true);
  });

  describe('when started with the local profile', () => {
    let coturn: CoturnProcess;
    let peer: { socket: Socket; port: number };
    const clients: TurnClient[] = [];
    const open = async () => {
      const client = await TurnClient.open({ address: '127.0.0.1', port: coturn.port });
      clients.push(client);
      return client;
    };

    beforeAll(async () => {
      coturn = await startCoturn({
        options: {
          profile: 'local',
          secret: SECRET,
          realm: 'parley',
          listeningPort: await freeUdpPort(),
          ...RELAY_RANGE,
        },
      });
      peer = await startEchoPeer();
    });

    afterAll(async () => {
      for (const client of clients) client.close();
      peer?.socket.close();
      await coturn?.stop();
    });

    it('should allocate a loopback relay for valid REST credentials and relay both ways', async () => {
      const client = await open();
      const credentials = turnRestCredentials({
        secret: SECRET,
        label: 'alice',
        expiresAtSeconds: nowSeconds() + 600,
      });
      const allocation = await client.allocate(credentials);
      expect(allocation.relayed.address).toBe('127.0.0.1');
      expect(allocation.relayed.port).toBeGreaterThanOrEqual(RELAY_RANGE.minPort);
      expect(allocation.relayed.port).toBeLessThanOrEqual(RELAY_RANGE.maxPort);

      await client.createPermission('127.0.0.1');
      client.send({ address: '127.0.0.1', port: peer.port }, Buffer.from('by indication'));
      const viaIndication = await client.nextData();
      expect(viaIndication.data.toString()).toBe('echo:by indication');
      expect(viaIndication.peer).toEqual({ address: '127.0.0.1', port: peer.port });

      await client.channelBind(0x4000, { address: '127.0.0.1', port: peer.port });
      client.sendOnChannel(0x4000, Buffer.from('by channel'));
      expect((await client.nextData()).data.toString()).toBe('echo:by channel');

      await client.refresh(0);
    });

    it.each([
      ['a wrong password', { username: `${nowSeconds() + 600}:mallory`, password: 'not-the-hmac' }],
      [
        'an expired credential',
        turnRestCredentials({ secret: SECRET, label: 'bob', expiresAtSeconds: nowSeconds() - 1 }),
      ],
      [
        'a credential signed with another secret',
        turnRestCredentials({
          secret: 'another-secret-0123456789ab',
          label: 'eve',
          expiresAtSeconds: nowSeconds() + 600,
        }),
      ],
    ])('should refuse %s with 401', async (_, credentials) => {
      const client = await open();
      const refusal = await client.allocate(credentials).catch((error: unknown) => error);
      expect(refusal).toBeInstanceOf(TurnRequestError);
      expect((refusal as TurnRequestError).code).toBe(401);
    });

    it('should still refuse private, metadata and mapped peers with 403 or 443', async () => {
      const client = await open();
      await client.allocate(
        turnRestCredentials({ secret: SECRET, label: 'carol', expiresAtSeconds: nowSeconds() + 600 }),
      );
      for (const peerAddress of ['10.0.0.1', '169.254.169.254', '192.168.0.1']) {
        await expect(client.createPermission(peerAddress)).rejects.toMatchObject({ code: 403 });
      }
      // An IPv4 relay cannot reach IPv6 peers at all: 443 Peer Address Family Mismatch.
      await expect(client.createPermission('::ffff:127.0.0.1')).rejects.toMatchObject({ code: 443 });
      await client.refresh(0);
    });
  });

  describe('when turnserver cannot start', () => {
    it("should reject with coturn's own log", async () => {
      // allow-loopback-peers without no-cli is a fatal configuration error in coturn.
      const confText = `listening-ip=127.0.0.1\nlistening-port=${await freeUdpPort()}\nallow-loopback-peers\nlog-file=stdout\n`;
      await expect(startCoturn({ confText, listeningIp: '127.0.0.1', listeningPort: 9 })).rejects.toThrow(
        /turnserver exited[\s\S]*coturn log/,
      );
    });
  });

  describe('when stopped', () => {
    it('should end the process and be safe to call twice', async () => {
      const coturn = await startCoturn({
        options: {
          profile: 'local',
          secret: SECRET,
          realm: 'parley',
          listeningPort: await freeUdpPort(),
          ...RELAY_RANGE,
        },
      });
      expect(existsSync(`/proc/${coturn.pid}`)).toBe(true);
      await coturn.stop();
      await coturn.stop();
      expect(existsSync(`/proc/${coturn.pid}`)).toBe(false);
      expect(coturn.logs()).toMatch(/Coturn-/);
    });
  });
});
