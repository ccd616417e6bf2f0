/**
 * IPC channel names and the lists of command and event names, without the schemas: the sandboxed
 * preload imports only this (it must stay a small single file). A test keeps the lists equal to
 * the keys of COMMANDS and EVENTS.
 */
export const COMMAND_NAMES = [
  'app.info',
  'profiles.list',
  'profiles.save',
  'profiles.delete',
  'services.list',
  'recent.list',
  'session.connect',
  'session.cancelConnect',
  'session.disconnect',
  'slots.create',
  'slots.cancelCreate',
  'slots.describeDrop',
  'slots.drop',
  'slots.describeAdvance',
  'slots.advance',
  'slots.peek',
  'stream.start',
  'stream.stop',
  'stream.raw',
  'wal.start',
  'wal.stop',
  'wal.window',
  'wal.record',
  'demo.setRate',
  'topology.get',
] as const;

export const EVENT_NAMES = [
  'session.state',
  'monitor.snapshot',
  'lag.delta',
  'stream.batch',
  'stream.state',
  'stream.stats',
  'wal.batch',
  'wal.stats',
  'wal.state',
  'logical.link',
  'topology.snapshot',
  'app.error',
] as const;

const IPC_PREFIX = 'walscope:';
export const commandChannel = (name: string): string => `${IPC_PREFIX}cmd:${name}`;
export const eventChannel = (name: string): string => `${IPC_PREFIX}evt:${name}`;
