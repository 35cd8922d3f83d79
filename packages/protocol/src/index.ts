export * from './errors';
export * from './limits';
export * from './messages';
export * from './parse';
export * from './room-id';
export * from './security-headers';
export * from './site-config';
