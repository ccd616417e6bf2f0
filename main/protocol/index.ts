export * from './byte-reader';
export * from './protocol-error';
export * from './copy-messages';
export * from './feedback';
export * from './commands';
export * from './command-results';
