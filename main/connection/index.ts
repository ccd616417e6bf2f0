export * from './conninfo';
export * from './pgpass';
export * from './service-file';
export * from './settings';
export * from './pg-config';
