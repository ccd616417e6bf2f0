export * from './alerts';
export * from './catalog';
export * from './lag-history';
export * from './server-monitor';
export * from './slot-operations';
export * from './sql-client';
