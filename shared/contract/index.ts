/**
 * The bridge contract between main and the renderer, shared by the Electron preload and the
 * WebSocket transport. Bump CONTRACT_VERSION on any incompatible change; both ends check it.
 */
import type { Result } from '../errors';
import type { CommandName, CommandRequest, CommandResponse } from './commands';
import type { EventName, EventPayload } from './events';

// 2: `stream.batch` carries WireRows (list fields + message JSON text, no raw bytes);
// `stream.raw` fetches one row's bytes.
export const CONTRACT_VERSION = 2;

export * from './commands';
export * from './events';
export * from './dto';
export * from './logical';
export * from './channels';

/** The one API object the renderer uses, whatever carries it (preload IPC or WebSocket). */
export interface WalscopeApi {
  invoke<K extends CommandName>(name: K, request: CommandRequest<K>): Promise<Result<CommandResponse<K>>>;
  on<K extends EventName>(name: K, handler: (payload: EventPayload<K>) => void): () => void;
}
