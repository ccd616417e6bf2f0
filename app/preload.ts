// Sandboxed preload: exposes only the typed API, built into one CommonJS file.
import { contextBridge, ipcRenderer, type IpcRendererEvent } from 'electron';
import { COMMAND_NAMES, EVENT_NAMES, commandChannel, eventChannel } from '../shared/contract/channels';

const commands = new Set<string>(COMMAND_NAMES);
const events = new Set<string>(EVENT_NAMES);

contextBridge.exposeInMainWorld('walscope', {
  invoke(name: string, request: unknown): Promise<unknown> {
    if (!commands.has(name))
      return Promise.resolve({ ok: false, error: { code: 'INVALID_ARGUMENT', message: `unknown command ${name}` } });
    return ipcRenderer.invoke(commandChannel(name), request);
  },
  on(name: string, handler: (payload: unknown) => void): () => void {
    if (!events.has(name)) return () => undefined;
    const listener = (_e: IpcRendererEvent, payload: unknown): void => handler(payload);
    ipcRenderer.on(eventChannel(name), listener);
    return () => ipcRenderer.removeListener(eventChannel(name), listener);
  },
});
