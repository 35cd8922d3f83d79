export { cached, type SignalingConfig, signalingConfigFromEnv } from './config';
export * from './entry-points';
export type { WebSocketEvent, WebSocketHandler, WebSocketResult } from './handlers/types';
export { createSignalingHandlers } from './signaling';
export * from './table-schema';
export { issueTurnCredentials, type TurnGrant } from './turn-credentials';
