import type { IncomingMessage, ServerResponse } from 'node:http';
import type { ChaosSettings } from './chaos';
import { isLoopbackAddress, readBody, sendJson } from './http-io';

/** Path prefix of the local-only control API; API Gateway has no such thing, and handlers never use it. */
export const CONTROL_PATH_PREFIX = '/_local';

/** Largest control request body: chaos settings are a few dozen bytes. */
const MAX_CONTROL_BODY_BYTES = 4096;

/** What the control API needs from the gateway. */
export interface GatewayControls {
  connections(): { connectionId: string; connectedAt: number; lastActiveAt: number }[];
  dropConnection(connectionId: string): boolean;
  chaos(): ChaosSettings;
  setChaos(settings: Partial<ChaosSettings>): ChaosSettings;
}

const DROP_PATH = /^\/_local\/connections\/([^/]+)\/drop$/;

/**
 * Serves the test control API for out-of-process tests, from loopback clients only:
 * `GET /_local/connections`, `POST /_local/connections/{id}/drop`, `GET|POST /_local/chaos`.
 * Answers false when the path is not a control path.
 */
export async function handleControlRequest(
  request: IncomingMessage,
  response: ServerResponse,
  controls: GatewayControls,
): Promise<boolean> {
  const path = new URL(request.url ?? '/', 'http://local').pathname;
  if (path !== CONTROL_PATH_PREFIX && !path.startsWith(`${CONTROL_PATH_PREFIX}/`)) return false;
  if (!isLoopbackAddress(request.socket.remoteAddress)) {
    sendJson(response, 403, { message: 'The control API answers loopback clients only' });
    return true;
  }
  const drop = DROP_PATH.exec(path);
  if (drop && request.method === 'POST') {
    const connectionId = decodeURIComponent(drop[1] ?? '');
    if (controls.dropConnection(connectionId)) response.writeHead(204).end();
    else sendJson(response, 404, { message: `No connection ${connectionId}` });
    return true;
  }
  if (path === `${CONTROL_PATH_PREFIX}/connections` && request.method === 'GET') {
    sendJson(response, 200, { connections: controls.connections() });
    return true;
  }
  if (path === `${CONTROL_PATH_PREFIX}/chaos` && request.method === 'GET') {
    sendJson(response, 200, controls.chaos());
    return true;
  }
  if (path === `${CONTROL_PATH_PREFIX}/chaos` && request.method === 'POST') {
    const read = await readBody(request, MAX_CONTROL_BODY_BYTES);
    if (read.tooLarge) {
      sendJson(response, 413, { message: 'Chaos settings too large' });
      return true;
    }
    try {
      const settings = JSON.parse(read.body.toString('utf8')) as Partial<ChaosSettings>;
      sendJson(response, 200, controls.setChaos(settings));
    } catch (error) {
      sendJson(response, 400, { message: (error as Error).message });
    }
    return true;
  }
  sendJson(response, 404, { message: `No control endpoint ${request.method} ${path}` });
  return true;
}
