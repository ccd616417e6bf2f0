import { CONTRACT_VERSION, type WalscopeApi } from '../../shared/contract';
import { WS_PATH } from '../../shared/contract/ws-protocol';
import { withContractCheck } from './contract-check';
import { createWsApi } from './ws-transport';

declare global {
  interface Window {
    /** Exposed by the Electron preload (contextBridge); absent in serve mode. */
    walscope?: WalscopeApi;
  }
}

let api: WalscopeApi | undefined;

/** The one API object: the preload's in the desktop app, a WebSocket transport in serve mode. */
export function getApi(): WalscopeApi {
  if (api) return api;
  if (window.walscope) return (api = withContractCheck(window.walscope));
  const token = new URLSearchParams(location.search).get('token') ?? '';
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  const socket = new WebSocket(
    `${scheme}://${location.host}${WS_PATH}?token=${encodeURIComponent(token)}&v=${CONTRACT_VERSION}`,
  );
  return (api = createWsApi(socket));
}
