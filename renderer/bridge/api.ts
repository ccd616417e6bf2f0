import { CONTRACT_VERSION, type WalscopeApi } from '../../shared/contract';
import { WS_PATH, WS_SUBPROTOCOL, WS_TOKEN_PROTOCOL_PREFIX } from '../../shared/contract/ws-protocol';
import { withContractCheck } from './contract-check';
import { serveToken } from './serve-token';
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
  // The token goes in a subprotocol, not the URL or a cookie (shared/contract/ws-protocol.ts).
  const token = serveToken();
  const protocols = token ? [WS_SUBPROTOCOL, `${WS_TOKEN_PROTOCOL_PREFIX}${token}`] : [WS_SUBPROTOCOL];
  const scheme = location.protocol === 'https:' ? 'wss' : 'ws';
  // The page declares its contract version; the engine answers every request with CONTRACT if it differs.
  const socket = new WebSocket(`${scheme}://${location.host}${WS_PATH}?v=${CONTRACT_VERSION}`, protocols);
  return (api = createWsApi(socket));
}
