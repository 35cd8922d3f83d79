import { Logger } from '@aws-lambda-powertools/logger';
import { ApiGatewayManagementApiClient } from '@aws-sdk/client-apigatewaymanagementapi';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { echoed, PROTOCOL_VERSION, parseClientMessage } from '@parley/protocol';
import { admissionOf } from './authorizer';
import type { SignalingConfig } from './config';
import type { WebSocketEvent, WebSocketHandler } from './handlers/types';
import { PeerGateway } from './peer-gateway';
import { RoomService } from './room-service';
import { RoomStore } from './room-store';
import { issueTurnCredentials } from './turn-credentials';

export type { SignalingConfig } from './config';

const OK = { statusCode: 200 } as const;

/** A short, non-reversible tag for a room id: room ids are capabilities and do not belong in logs. */
async function roomTag(roomId: string): Promise<string> {
  const digest = await crypto.subtle.digest('SHA-256', new TextEncoder().encode(roomId));
  return Buffer.from(digest).toString('hex').slice(0, 12);
}

function bodyOf(event: WebSocketEvent): string | undefined {
  if (event.body === undefined || event.body === null) return undefined;
  return event.isBase64Encoded ? Buffer.from(event.body, 'base64').toString('utf8') : event.body;
}

/**
 * Builds the three WebSocket handlers from one configuration. The Lambda entry files call this with the
 * environment; the local runtime calls it with its own servers. Handlers never throw: bad input gets an error
 * reply to its sender, and a failure of ours gets `internal`.
 */
export function createSignalingHandlers(config: SignalingConfig): {
  connect: WebSocketHandler;
  disconnect: WebSocketHandler;
  message: WebSocketHandler;
} {
  const region = config.region ?? process.env.AWS_REGION ?? 'us-east-1';
  const credentials = config.credentials ? { credentials: config.credentials } : {};
  const dynamodb = new DynamoDBClient({
    region,
    ...credentials,
    ...(config.dynamodbEndpoint ? { endpoint: config.dynamodbEndpoint } : {}),
  });
  const management = new ApiGatewayManagementApiClient({ region, endpoint: config.managementEndpoint, ...credentials });
  const now = config.now ?? Date.now;
  const logger = new Logger({
    serviceName: 'parley-signaling',
    logLevel: (config.logLevel ?? process.env.POWERTOOLS_LOG_LEVEL ?? 'INFO') as 'INFO',
  });
  const service = new RoomService(
    {
      store: new RoomStore(dynamodb, config.tableName),
      peers: new PeerGateway(management),
      now,
      issueTurn: async (label) =>
        issueTurnCredentials({
          secret: await config.turnSecret(),
          label,
          turnUrls: config.turnUrls,
          ttlSeconds: config.turnCredentialTtlSeconds,
          nowMs: now(),
        }),
    },
    config.access,
  );

  const connect: WebSocketHandler = async (event) => {
    // Clients may state their protocol version up front; refusing the handshake beats a confusing session.
    const version = event.queryStringParameters?.v;
    if (version !== undefined && version !== String(PROTOCOL_VERSION)) {
      logger.info('connect refused', { connectionId: event.requestContext.connectionId, version: echoed(version) });
      return { statusCode: 400, body: `This server speaks protocol version ${PROTOCOL_VERSION}.` };
    }
    const admission = admissionOf(event.requestContext.authorizer);
    if (config.access === 'private' && !admission) {
      // Only reachable if the authorizer were detached from the route: refuse rather than open the door.
      logger.error('connect without an admission on a private deployment', {
        connectionId: event.requestContext.connectionId,
      });
      return { statusCode: 403, body: 'This Parley is private.' };
    }
    logger.info('connect', { connectionId: event.requestContext.connectionId, role: admission?.role });
    return OK;
  };

  const disconnect: WebSocketHandler = async (event) => {
    const connectionId = event.requestContext.connectionId;
    try {
      await service.disconnect(connectionId);
      logger.info('disconnect', { connectionId, status: event.requestContext.disconnectStatusCode });
    } catch (error) {
      logger.error('disconnect failed', { connectionId, error: error as Error });
    }
    return OK;
  };

  const message: WebSocketHandler = async (event) => {
    const connectionId = event.requestContext.connectionId;
    const started = now();
    const parsed = parseClientMessage(bodyOf(event));
    try {
      if (!parsed.ok) {
        await service.reject(connectionId, parsed.code, parsed.message, parsed.ref);
        logger.info('rejected', { connectionId, code: parsed.code });
        return OK;
      }
      const admission = admissionOf(event.requestContext.authorizer);
      const outcome = await service.handle(connectionId, parsed.message, admission);
      const room = parsed.message.type === 'join' ? { room: await roomTag(parsed.message.roomId) } : {};
      logger.info('message', { connectionId, type: parsed.message.type, outcome, ms: now() - started, ...room });
    } catch (error) {
      logger.error('message failed', {
        connectionId,
        type: parsed.ok ? parsed.message.type : undefined,
        error: error as Error,
      });
      const ref = parsed.ok ? parsed.message.id : undefined;
      await service
        .reject(connectionId, 'internal', 'Something went wrong on the server; please try again.', ref)
        .catch(() => undefined);
    }
    return OK;
  };

  return { connect, disconnect, message };
}
