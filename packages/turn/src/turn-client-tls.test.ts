import { execFileSync } from 'node:child_process';
import { createSocket } from 'node:dgram';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type CoturnProcess, startCoturn } from './coturn-process';
import { turnRestCredentials } from './rest-credentials';
import { TurnClient } from './turn-client';

const SECRET = 'local-tls-test-secret-0123456789';
/** A relay range of its own, away from the ranges other local coturns use. */
const RELAY_RANGE = { minPort: 41200, maxPort: 41299 };
/** The name in the test certificate: what a `turns:` URL would carry. */
const DOMAIN = 'turn.parley.test';

async function freeUdpPort(): Promise<number> {
  const socket = createSocket('udp4');
  await new Promise<void>((resolve) => socket.bind(0, '127.0.0.1', resolve));
  const { port } = socket.address();
  await new Promise<void>((resolve) => socket.close(() => resolve()));
  return port;
}

async function freeTcpPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const address = server.address();
  await new Promise<void>((resolve) => server.close(() => resolve()));
  if (!address || typeof address === 'string') throw new Error('no TCP port');
  return address.port;
}

const credentials = () =>
  turnRestCredentials({ secret: SECRET, label: 'tls-check', expiresAtSeconds: Math.floor(Date.now() / 1000) + 600 });

describe('TurnClient over TLS (a turns: URL), against real coturn with a certificate for its name', () => {
  const directory = mkdtempSync(join(tmpdir(), 'parley-turn-tls-'));
  const certificateFile = join(directory, 'certificate.pem');
  const keyFile = join(directory, 'key.pem');
  let coturn: CoturnProcess;
  let server: { address: string; port: number };

  beforeAll(async () => {
    execFileSync(
      'openssl',
      [
        ...['req', '-x509', '-newkey', 'ec', '-pkeyopt', 'ec_paramgen_curve:prime256v1', '-nodes', '-days', '1'],
        ...['-keyout', keyFile, '-out', certificateFile, '-subj', `/CN=${DOMAIN}`],
        ...['-addext', `subjectAltName=DNS:${DOMAIN}`],
      ],
      { stdio: ['ignore', 'ignore', 'pipe'] },
    );
    const tlsPort = await freeTcpPort();
    coturn = await startCoturn({
      options: {
        profile: 'local',
        secret: SECRET,
        realm: 'parley',
        listeningPort: await freeUdpPort(),
        ...RELAY_RANGE,
        tls: { certFile: certificateFile, keyFile, port: tlsPort },
      },
    });
    server = { address: '127.0.0.1', port: tlsPort };
  });

  afterAll(async () => {
    await coturn?.stop();
    rmSync(directory, { recursive: true, force: true });
  });

  it('should allocate a relay when the certificate is trusted and names the server', async () => {
    const client = await TurnClient.openTls(server, DOMAIN, { ca: readFileSync(certificateFile, 'utf8') });
    try {
      const allocation = await client.allocate(credentials());
      expect(allocation.relayed.port).toBeGreaterThanOrEqual(RELAY_RANGE.minPort);
      expect(allocation.relayed.port).toBeLessThanOrEqual(RELAY_RANGE.maxPort);
      await client.refresh(0);
    } finally {
      client.close();
    }
  });

  it('should refuse a certificate the system does not trust, as a browser does', async () => {
    await expect(TurnClient.openTls(server, DOMAIN)).rejects.toThrow(/self.signed certificate/i);
  });

  it('should refuse a certificate for another name', async () => {
    const ca = readFileSync(certificateFile, 'utf8');
    await expect(TurnClient.openTls(server, 'other.parley.test', { ca })).rejects.toThrow(/altnames|does not match/i);
  });
});
