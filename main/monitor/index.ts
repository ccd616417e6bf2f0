export * from './alerts';
export * from './catalog';
export * from './lag-history';
export * from './monitor-session';
export * from './slot-operations';
export * from './sql-session';
