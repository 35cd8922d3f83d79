import { fileURLToPath } from 'node:url';
import { ROOM_QUERY_PARAMETER, TICKET_QUERY_PARAMETER } from '@parley/protocol';

/**
 * The Lambda handlers and the WebSocket routes they serve, defined once: the CDK stack creates one function and
 * route per entry, the local runtime wires the same routes to the same files.
 */
export const HANDLER_ENTRY_POINTS = {
  connect: { routeKey: '$connect', file: fileURLToPath(new URL('./handlers/connect.ts', import.meta.url)) },
  disconnect: { routeKey: '$disconnect', file: fileURLToPath(new URL('./handlers/disconnect.ts', import.meta.url)) },
  message: { routeKey: '$default', file: fileURLToPath(new URL('./handlers/message.ts', import.meta.url)) },
} as const;

export type HandlerName = keyof typeof HANDLER_ENTRY_POINTS;

/**
 * The `$connect` Lambda authorizer of a private deployment (REQUEST type): it checks the ticket before a socket
 * exists. API Gateway refuses a handshake without the identity source (401) without invoking it; the local stand-in
 * does the same with the same file.
 */
export const AUTHORIZER_ENTRY_POINT = {
  file: fileURLToPath(new URL('./handlers/authorize.ts', import.meta.url)),
  /** Where the ticket and its room are: the query string of the WebSocket URL (`?room=…&ticket=…`). */
  identitySource: [
    `route.request.querystring.${TICKET_QUERY_PARAMETER}`,
    `route.request.querystring.${ROOM_QUERY_PARAMETER}`,
  ],
} as const;

/** Every message carries its kind in `type`; no route matches it, so all go to `$default` (one validating handler). */
export const ROUTE_SELECTION_EXPRESSION = '$request.body.type';

/** Environment variables the handlers read. Set by the CDK stack on AWS and by the local runtime locally. */
export const SIGNALING_ENV = {
  /** Name of the room table. */
  tableName: 'ROOM_TABLE_NAME',
  /** `https://{api}.execute-api.{region}.amazonaws.com/{stage}` — where PostToConnection goes. */
  managementEndpoint: 'MANAGEMENT_ENDPOINT',
  /** ARN of the Secrets Manager secret holding the TURN REST secret (AWS). */
  turnSecretArn: 'TURN_SECRET_ARN',
  /** The TURN REST secret itself (local runtime only; never set on AWS). */
  turnSecret: 'TURN_SECRET',
  /** Comma-separated TURN URLs handed to clients, e.g. `turn:203.0.113.7:3478?transport=udp`. */
  turnUrls: 'TURN_URLS',
  /** Lifetime of issued TURN credentials, in seconds. */
  turnCredentialTtlSeconds: 'TURN_CREDENTIAL_TTL_SECONDS',
  /** DynamoDB endpoint override (local runtime only). */
  dynamodbEndpoint: 'DYNAMODB_ENDPOINT',
  /** `private` (default) or `open` (see @parley/protocol's access.ts). */
  accessMode: 'ACCESS_MODE',
  /** ARN of the Secrets Manager secret holding the owner key (AWS). */
  ownerKeySecretArn: 'OWNER_KEY_SECRET_ARN',
  /** The owner key itself (local runtime only; never set on AWS). */
  ownerKey: 'OWNER_KEY',
  /** The longest a guest ticket may be valid, in hours. */
  inviteValidityHours: 'INVITE_VALIDITY_HOURS',
} as const;
