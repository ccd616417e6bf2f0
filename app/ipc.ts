import {
  COMMAND_NAMES,
  CONTRACT_VERSION,
  commandChannel,
  contractMismatch,
  eventChannel,
  type CommandName,
  type EventName,
  type EventPayload,
} from '../shared/contract';
import type { ErrorInfo, Result } from '../shared/errors';
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
 * The contract version each page declared in `app.info`, per dispatcher (one per window, so a
 * closed window's entry goes with it). The renderer bundle is built apart from the shell: a stale
 * page must not drive a newer engine with requests it shapes differently.
 */
export class ContractGate {
  private readonly declared = new WeakMap<Dispatcher, number>();

  /** Records the version a valid `app.info` request declared (a request without one changes nothing). */
  observe(d: Dispatcher, name: CommandName, payload: unknown, answer: Result<unknown>): void {
    if (name !== 'app.info' || !answer.ok || typeof payload !== 'object' || payload === null) return;
    const v = (payload as { contractVersion?: unknown }).contractVersion;
    if (typeof v === 'number') this.declared.set(d, v);
  }

  /** The CONTRACT error for any command but `app.info` (which tells the page ours) from a page that differs. */
  refusal(d: Dispatcher, name: CommandName): ErrorInfo | undefined {
    if (name === 'app.info') return undefined;
    const page = this.declared.get(d);
    return page === CONTRACT_VERSION ? undefined : contractMismatch(page, CONTRACT_VERSION);
  }
}

/**
 * One ipcMain.handle per contract command (never a raw catch-all channel); each checks the sender
 * frame and the page's declared contract version, then hands the payload to the dispatcher, which
 * validates it against the schema.
 */
export function bindIpc(
  ipc: IpcMainLike,
  dispatcherFor: (senderId: number) => Dispatcher | undefined,
  trusted: (frame: SenderFrame | null) => boolean,
): () => void {
  const gate = new ContractGate();
  for (const name of COMMAND_NAMES) {
    ipc.handle(commandChannel(name), async (event, payload): Promise<Result<unknown>> => {
      if (!trusted(event.senderFrame))
        return { ok: false, error: { code: 'PRIVILEGE', message: 'request from an untrusted frame refused' } };
      const d = dispatcherFor(event.sender.id);
      if (!d) return { ok: false, error: { code: 'INTERNAL', message: 'WALscope is shutting down' } };
      const refused = gate.refusal(d, name);
      if (refused) return { ok: false, error: refused };
      const answer = await d.invoke(name, payload);
      gate.observe(d, name, payload, answer);
      return answer;
    });
  }
  return () => COMMAND_NAMES.forEach((name) => ipc.removeHandler(commandChannel(name)));
}

export function eventSender(contents: WebContentsLike) {
  return <K extends EventName>(name: K, payload: EventPayload<K>): void => {
    if (!contents.isDestroyed()) contents.send(eventChannel(name), payload);
  };
}
