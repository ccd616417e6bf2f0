/**
 * The bridge contract between main and the renderer, shared by the Electron preload and the
 * WebSocket transport. Bump CONTRACT_VERSION on any incompatible change; both ends check it.
 */
import type { Result } from '../errors';
import type { CommandName, CommandRequest, CommandResponse } from './commands';
import type { EventName, EventPayload } from './events';

export const CONTRACT_VERSION = 1;

export * from './commands';
export * from './events';
export * from './dto';

/** The one API object the renderer uses, whatever carries it (preload IPC or WebSocket). */
export interface WalscopeApi {
  invoke<K extends CommandName>(name: K, request: CommandRequest<K>): Promise<Result<CommandResponse<K>>>;
  on<K extends EventName>(name: K, handler: (payload: EventPayload<K>) => void): () => void;
}

/** Namespaced channel names (Electron IPC); one invoke channel and one event channel per name. */
export const IPC_PREFIX = 'walscope:';
export const commandChannel = (name: CommandName): string => `${IPC_PREFIX}cmd:${name}`;
export const eventChannel = (name: EventName): string => `${IPC_PREFIX}evt:${name}`;
