import { COMMAND_NAMES, commandChannel, eventChannel, type EventName, type EventPayload } from '../shared/contract';
import type { Result } from '../shared/errors';
import type { Dispatcher } from '../main/bridge/dispatcher';
import type { SenderFrame } from './window-options';

/** The parts of ipcMain / IpcMainInvokeEvent / WebContents used, so the binding is tested without Electron. */
export interface IpcMainLike {
  handle(
    channel: string,
    listener: (
      event: { sender: { id: number }; senderFrame: SenderFrame | null },
      payload: unknown,
    ) => Promise<unknown>,
  ): void;
  removeHandler(channel: string): void;
}
export interface WebContentsLike {
  send(channel: string, payload: unknown): void;
  isDestroyed(): boolean;
}

/**
 * One ipcMain.handle per contract command (never a raw catch-all channel); each checks the sender
 * frame, then hands the payload to the dispatcher, which validates it against the schema.
 */
export function bindIpc(
  ipc: IpcMainLike,
  dispatcherFor: (senderId: number) => Dispatcher | undefined,
  trusted: (frame: SenderFrame | null) => boolean,
): () => void {
  for (const name of COMMAND_NAMES) {
    ipc.handle(commandChannel(name), async (event, payload): Promise<Result<unknown>> => {
      if (!trusted(event.senderFrame))
        return { ok: false, error: { code: 'PRIVILEGE', message: 'request from an untrusted frame refused' } };
      const d = dispatcherFor(event.sender.id);
      if (!d) return { ok: false, error: { code: 'INTERNAL', message: 'WALscope is shutting down' } };
      return d.invoke(name, payload);
    });
  }
  return () => COMMAND_NAMES.forEach((name) => ipc.removeHandler(commandChannel(name)));
}

export function eventSender(contents: WebContentsLike) {
  return <K extends EventName>(name: K, payload: EventPayload<K>): void => {
    if (!contents.isDestroyed()) contents.send(eventChannel(name), payload);
  };
}
