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
    /** What the `$connect` authorizer returned as context (private deployments), on every event of the connection. */
    authorizer?: Record<string, unknown> | null;
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

/** The event of a WebSocket `$connect` REQUEST authorizer (the subset we use). */
export interface AuthorizerEvent {
  type: 'REQUEST';
  /** `arn:aws:execute-api:{region}:{account}:{api}/{stage}/$connect` */
  methodArn: string;
  headers?: Record<string, string | undefined>;
  queryStringParameters?: Record<string, string | undefined> | null;
  requestContext: WebSocketEvent['requestContext'];
}

/** An authorizer's answer: an IAM policy allowing or denying the connect, and context for the routes. */
export interface AuthorizerResult {
  principalId: string;
  policyDocument: {
    Version: '2012-10-17';
    Statement: { Action: 'execute-api:Invoke'; Effect: 'Allow' | 'Deny'; Resource: string }[];
  };
  /** Flat string values: API Gateway hands them to every route as `requestContext.authorizer`. */
  context?: Record<string, string>;
}

/** An authorizer throws `Unauthorized` (401) or answers a Deny policy (403) to refuse. */
export type AuthorizerHandler = (event: AuthorizerEvent, context?: unknown) => Promise<AuthorizerResult>;
