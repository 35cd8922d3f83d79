export { type Admission, admissionOf, createAuthorizer, UNAUTHORIZED } from './authorizer';
export { type AccessConfig, accessConfigFromEnv, cached, type SignalingConfig, signalingConfigFromEnv } from './config';
export * from './entry-points';
export type {
  AuthorizerEvent,
  AuthorizerHandler,
  AuthorizerResult,
  WebSocketEvent,
  WebSocketHandler,
  WebSocketResult,
} from './handlers/types';
export { OWNER_KEY_CACHE_MS, OWNER_KEY_RECHECK_MS } from './owner-key';
export { createSignalingHandlers } from './signaling';
export * from './table-schema';
export { issueTurnCredentials, type TurnGrant } from './turn-credentials';
