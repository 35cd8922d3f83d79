export * from './entry-points';
export type { WebSocketEvent, WebSocketHandler, WebSocketResult } from './handlers/types';
export * from './table-schema';
