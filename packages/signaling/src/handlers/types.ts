/**
 * The shape of API Gateway WebSocket events as our handlers use them (a subset of AWS's, plus `$connect`'s headers
 * and query string). The local runtime produces exactly these.
 */
export interface WebSocketEvent {
  requestContext: {
    connectionId: string;
    routeKey: string;
    eventType: 'CONNECT' | 'MESSAGE' | 'DISCONNECT';
    domainName: string;
    stage: string;
    apiId?: string;
    requestId?: string;
    connectedAt?: number;
    requestTimeEpoch?: number;
    messageDirection?: 'IN';
    disconnectStatusCode?: number;
    disconnectReason?: string;
  };
  body?: string;
  isBase64Encoded?: boolean;
  headers?: Record<string, string | undefined>;
  multiValueHeaders?: Record<string, string[] | undefined>;
  queryStringParameters?: Record<string, string | undefined> | null;
}

/** What a handler answers. On `$connect`, a non-2xx status refuses the handshake. */
export interface WebSocketResult {
  statusCode: number;
  body?: string;
}

export type WebSocketHandler = (event: WebSocketEvent, context?: unknown) => Promise<WebSocketResult>;
