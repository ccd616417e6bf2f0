import WebSocket from 'ws';
import { CONTRACT_VERSION } from '../../shared/contract';
import { parseServerFrame } from '../../shared/contract/ws-batch';
import {
  ACKED_EVENTS,
  WS_SUBPROTOCOL,
  WS_TOKEN_PROTOCOL_PREFIX,
  type ServerFrame,
} from '../../shared/contract/ws-protocol';
import type { Result } from '../../shared/errors';

/** A Node-side client of the serve-mode protocol, for tests. */
export interface WsClient {
  ws: WebSocket;
  events: { name: string; payload: Record<string, unknown> }[];
  invoke<T = unknown>(name: string, request: unknown): Promise<Result<T>>;
  waitForEvent(
    pred: (e: { name: string; payload: Record<string, unknown> }) => boolean,
    timeoutMs?: number,
  ): Promise<Record<string, unknown>>;
  close(): Promise<void>;
}

/** The first event (already received or yet to come) that `pred` accepts, or an error after `timeoutMs`. */
function waitForEvent(
  events: WsClient['events'],
  waiters: Set<() => void>,
  pred: (e: WsClient['events'][number]) => boolean,
  timeoutMs: number,
): Promise<Record<string, unknown>> {
  return new Promise((res, rej) => {
    const check = (): void => {
      const hit = events.find(pred);
      if (hit) {
        waiters.delete(check);
        clearTimeout(t);
        res(hit.payload);
      }
    };
    const t = setTimeout(() => {
      waiters.delete(check);
      rej(new Error(`no matching event in ${timeoutMs} ms (got ${events.map((e) => e.name).join(',')})`));
    }, timeoutMs);
    waiters.add(check);
    check();
  });
}

/**
 * Opens a serve-mode socket. A `token` query parameter in `url` is not sent in the URL: it is moved
 * into the subprotocols (`walscope.v1`, `walscope.token.<token>`) the way the page sends it.
 * `contractVersion`: declared as the page does (`?v=`); null declares none. Batch events are
 * acknowledged as the page does (ACKED_EVENTS), unless `ack` is false.
 */
export function connectWs(
  url: string,
  headers: Record<string, string> = {},
  contractVersion: number | null = CONTRACT_VERSION,
  ack = true,
): Promise<WsClient> {
  const target = new URL(url);
  const token = target.searchParams.get('token');
  target.searchParams.delete('token');
  if (contractVersion !== null) target.searchParams.set('v', String(contractVersion));
  const protocols = token === null ? [WS_SUBPROTOCOL] : [WS_SUBPROTOCOL, `${WS_TOKEN_PROTOCOL_PREFIX}${token}`];
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(target.href, protocols, { headers });
    const pending = new Map<number, (r: Result<unknown>) => void>();
    const events: WsClient['events'] = [];
    const waiters = new Set<() => void>();
    let next = 1;
    ws.on('message', (data) => {
      const f: ServerFrame = parseServerFrame(String(data));
      if (f.kind === 'result') pending.get(f.id)?.(f.result);
      if (f.kind === 'event') {
        events.push({ name: f.name, payload: f.payload as Record<string, unknown> });
        if (ack && ACKED_EVENTS.has(f.name)) ws.send(JSON.stringify({ kind: 'ack' }));
        for (const w of [...waiters]) w();
      }
    });
    ws.once('error', reject);
    ws.once('unexpected-response', (_req, res) => reject(new Error(`HTTP ${res.statusCode}`)));
    ws.once('open', () =>
      resolve({
        ws,
        events,
        invoke: <T>(name: string, request: unknown) =>
          new Promise<Result<T>>((res) => {
            const id = next++;
            pending.set(id, res as (r: Result<unknown>) => void);
            ws.send(JSON.stringify({ kind: 'invoke', id, name, request }));
          }),
        waitForEvent: (pred, timeoutMs = 20_000) => waitForEvent(events, waiters, pred, timeoutMs),
        close: () =>
          new Promise<void>((res) => {
            if (ws.readyState === ws.CLOSED) return res();
            ws.once('close', () => res());
            ws.close();
          }),
      }),
    );
  });
}
