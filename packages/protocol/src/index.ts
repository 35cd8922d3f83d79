export * from './errors';
export * from './limits';
export * from './messages';
export * from './parse';
export * from './room-id';
export * from './site-config';
