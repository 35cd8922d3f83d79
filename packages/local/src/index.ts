export * from './chaos';
export * from './gateway';
