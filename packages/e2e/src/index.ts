export * from './browsers';
export * from './direct-call';
export * from './media-checks';
export * from './rtc-probe';
export * from './wait';
