export * from './chaos';
export * from './client-build';
export * from './gateway';
export * from './local-system';
export * from './local-turn';
