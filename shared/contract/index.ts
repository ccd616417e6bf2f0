/**
 * The bridge contract between main and the renderer, shared by the Electron preload and the
 * WebSocket transport. Bump CONTRACT_VERSION on any incompatible change; both ends check it:
 * in serve mode the page declares its version when it opens the socket (`?v=`) and the server
 * answers a page that differs with `contractMismatch`; the server's hello frame carries its version
 * and the page's transport answers every request with the same error when it differs. In the
 * desktop app the page declares its version in `app.info` (renderer/bridge/contract-check.ts) and
 * compares the engine's answer; main answers every other command from a page that declared
 * another version, or none, with the same error (app/ipc.ts).
 */
import type { ErrorInfo, Result } from '../errors';
import type { CommandName, CommandRequest, CommandResponse } from './commands';
import type { EventName, EventPayload } from './events';

// 2: `stream.batch` carries WireRows (list fields + message JSON text, no raw bytes);
// `stream.raw` fetches one row's bytes.
// 3: advance is two-step (`slots.describeAdvance` issues a token `slots.advance` needs); error
// code LIMIT. Row images keep the relation's column order: `Tuple` (`{names, values}`) in WireMessage
// (slots.peek), `{"col":value,…}` text in a WireRow's json, parsed by shared/wire-json.ts.
// `session.connect` takes a `connectId` and `session.cancelConnect` cancels it; `stream.state`
// carries the reconnection `attempt` of `maxAttempts`.
// A WireRow carries the message's `lsn`; message `type` is one of MESSAGE_TYPES.
// 4: live WAL: `wal.start/stop/window/record` and the `wal.batch/stats/state` events.
// 5: logical replication from both ends: `logical.link/unlink` and the `logical.link` event;
// snapshots carry a `logical` section.
// 6: the desktop page declares its version in `app.info` ({contractVersion}); main refuses the
// other commands from a page that has not, or that speaks another version.
// 7: several servers per window: `services.list`, `recent.list`, a `service` connect target.
// 8: the topology: `topology.get` and the `topology.snapshot` event; connect target `demoStandby`.
// 9: serve mode: the page acknowledges each `stream.batch` / `wal.batch` (`{"kind":"ack"}`).
// 10: no `logical.link/unlink` commands: the `logical.link` event carries every linked direction
// among the window's sessions (a subscription on one targets another).
export const CONTRACT_VERSION = 10;

/** The error either end gives when the other speaks another contract version. */
export function contractMismatch(page: number | undefined, engine: number): ErrorInfo {
  return {
    code: 'CONTRACT',
    message: `this page speaks bridge contract ${page ?? '(none)'}, WALscope's engine speaks ${engine}`,
    hint: 'Reload the page. If that does not help, the page and the engine come from different WALscope builds: start both from one installation.',
  };
}

export * from './commands';
export * from './events';
export * from './dto';
export * from './wal';
export * from './logical';
export * from './topology';
export * from './channels';

/** The one API object the renderer uses, whatever carries it (preload IPC or WebSocket). */
export interface WalscopeApi {
  invoke<K extends CommandName>(name: K, request: CommandRequest<K>): Promise<Result<CommandResponse<K>>>;
  on<K extends EventName>(name: K, handler: (payload: EventPayload<K>) => void): () => void;
}
