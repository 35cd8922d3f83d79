import type { IncomingMessage, ServerResponse } from 'node:http';
import { readBody, sendJson } from './http-io';

/** What the management API needs from the gateway. */
export interface ConnectionRegistry {
  /** Queues `data` for the connection; `gone` when it does not exist (or is still in its `$connect`). */
  postToConnection(connectionId: string, data: Buffer): 'sent' | 'gone';
  /** The connection's details, or undefined when it does not exist. */
  describeConnection(
    connectionId: string,
  ): { connectedAt: number; lastActiveAt: number; sourceIp: string; userAgent: string } | undefined;
  /** Closes the connection (its `$disconnect` runs); false when it does not exist. */
  deleteConnection(connectionId: string): boolean;
}

const CONNECTIONS_PATH = /^\/([^/]+)\/@connections\/([^/]+)$/;

function error(response: ServerResponse, status: number, type: string, body: Record<string, unknown>): void {
  sendJson(response, status, body, { 'x-amzn-errortype': type });
}

/**
 * Serves API Gateway's `@connections` API — `POST|GET|DELETE /{stage}/@connections/{id}` — with AWS's status codes
 * and `x-amzn-errortype` headers, so the AWS SDK's ApiGatewayManagementApiClient works against it unchanged.
 * Answers false when the path is not a management path.
 */
export async function handleManagementRequest(
  request: IncomingMessage,
  response: ServerResponse,
  options: { stage: string; maxPostBytes: number; registry: ConnectionRegistry },
): Promise<boolean> {
  const path = new URL(request.url ?? '/', 'http://local').pathname;
  const match = CONNECTIONS_PATH.exec(path);
  if (!match) return false;
  const [, stage = '', encodedId = ''] = match;
  if (stage !== options.stage) {
    error(response, 403, 'ForbiddenException', { message: 'Forbidden' });
    return true;
  }
  // AWS rejects unsigned calls; insisting on a SigV4 header catches code that forgot to configure credentials.
  if (!request.headers.authorization?.startsWith('AWS4-HMAC-SHA256')) {
    error(response, 403, 'ForbiddenException', { message: 'Missing Authentication Token' });
    return true;
  }
  let connectionId: string;
  try {
    connectionId = decodeURIComponent(encodedId);
  } catch {
    error(response, 400, 'BadRequestException', { message: 'Invalid connection id' });
    return true;
  }
  const { registry } = options;
  switch (request.method) {
    case 'POST': {
      const read = await readBody(request, options.maxPostBytes);
      if (read.tooLarge) {
        error(response, 413, 'PayloadTooLargeException', {
          message: `Message of ${read.bytes} bytes exceeds the ${options.maxPostBytes}-byte limit`,
        });
      } else if (registry.postToConnection(connectionId, read.body) === 'gone') {
        error(response, 410, 'GoneException', {});
      } else {
        response.writeHead(200).end();
      }
      return true;
    }
    case 'GET': {
      const details = registry.describeConnection(connectionId);
      if (!details) error(response, 410, 'GoneException', {});
      else {
        sendJson(response, 200, {
          connectedAt: new Date(details.connectedAt).toISOString(),
          identity: { sourceIp: details.sourceIp, userAgent: details.userAgent },
          lastActiveAt: new Date(details.lastActiveAt).toISOString(),
        });
      }
      return true;
    }
    case 'DELETE':
      if (registry.deleteConnection(connectionId)) response.writeHead(204).end();
      else error(response, 410, 'GoneException', {});
      return true;
    default:
      error(response, 405, 'MethodNotAllowedException', { message: `${request.method} is not supported` });
      return true;
  }
}
