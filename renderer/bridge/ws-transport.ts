import { CONTRACT_VERSION, contractMismatch, type WalscopeApi } from '../../shared/contract';
import { parseServerFrame } from '../../shared/contract/ws-batch';
import { ACKED_EVENTS, type ServerFrame } from '../../shared/contract/ws-protocol';
import type { ErrorInfo, Result } from '../../shared/errors';

type Listener = (payload: unknown) => void;

/** After the page has painted what it was given (a test without frames: the next task). */
const nextFrame = (fn: () => void): void => {
  if (typeof requestAnimationFrame === 'function') requestAnimationFrame(() => fn());
  else setTimeout(fn, 0);
};
const ACK = JSON.stringify({ kind: 'ack' });

/** Minimal socket surface, so the transport is tested with a fake. */
export interface SocketLike {
  readyState: number;
  send(data: string): void;
  addEventListener(type: 'open' | 'close' | 'message', fn: (ev: { data?: unknown }) => void): void;
}

/**
 * What every request gets once the socket has closed. A socket that never opened was refused (a
 * browser does not say why): most likely the page was opened without the token, or in another tab,
 * which has its own sessionStorage.
 */
function closedResult(opened: boolean): Result<never> {
  return opened
    ? {
        ok: false,
        error: { code: 'CONNECTION', message: 'lost the connection to WALscope', hint: 'Reload the page.' },
      }
    : {
        ok: false,
        error: {
          code: 'CONNECTION',
          message: 'WALscope refused this page: it has no valid access token',
          hint: 'Open the URL printed by `walscope serve` (it carries the token) in this tab.',
        },
      };
}

/** Answers every waiting request with `result`: none of them will get its own answer any more. */
function answerAll(pending: Map<number, (r: Result<unknown>) => void>, result: Result<never>): void {
  for (const [id, resolve] of pending) {
    resolve(result);
    pending.delete(id);
  }
}

/** An event to its listeners; a batch is acknowledged once they ran and a frame has passed. */
function dispatch(
  socket: SocketLike,
  listeners: Map<string, Set<Listener>>,
  frame: { name: string; payload: unknown },
): void {
  for (const l of listeners.get(frame.name) ?? []) l(frame.payload);
  // Flow control: the server sends the next batches only as the page keeps up with these.
  if (!ACKED_EVENTS.has(frame.name)) return;
  nextFrame(() => {
    if (socket.readyState === 1) socket.send(ACK);
  });
}

/**
 * The contract over the serve-mode WebSocket: invoke frames with ids, result frames matched back,
 * event frames fanned out to listeners. Requests made before the socket opens are queued. A server
 * whose hello names another contract version gets no requests: each is answered with the error.
 */
export function createWsApi(socket: SocketLike, onVersionMismatch?: (server: number) => void): WalscopeApi {
  let nextId = 1;
  let mismatch: ErrorInfo | undefined;
  const pending = new Map<number, (r: Result<unknown>) => void>();
  const listeners = new Map<string, Set<Listener>>();
  const queue: string[] = [];
  let opened = false;
  let closed: Result<never> | undefined;
  socket.addEventListener('open', () => {
    opened = true;
    for (const f of queue.splice(0)) socket.send(f);
  });
  socket.addEventListener('close', () => {
    closed = closedResult(opened);
    queue.length = 0;
    answerAll(pending, closed);
  });
  socket.addEventListener('message', (ev) => {
    let frame: ServerFrame;
    try {
      frame = parseServerFrame(String(ev.data));
    } catch {
      return;
    }
    if (frame.kind === 'hello') {
      if (frame.contractVersion !== CONTRACT_VERSION) {
        mismatch = contractMismatch(CONTRACT_VERSION, frame.contractVersion);
        queue.length = 0;
        answerAll(pending, { ok: false, error: mismatch });
        onVersionMismatch?.(frame.contractVersion);
      }
    } else if (frame.kind === 'result') {
      const resolve = pending.get(frame.id);
      pending.delete(frame.id);
      resolve?.(frame.result);
    } else if (frame.kind === 'event') {
      dispatch(socket, listeners, frame);
    }
  });
  return {
    invoke(name, request) {
      if (mismatch) return Promise.resolve({ ok: false, error: mismatch });
      const id = nextId++;
      const text = JSON.stringify({ kind: 'invoke', id, name, request });
      return new Promise((resolve) => {
        // After the socket closed nothing would ever answer: say so at once instead of hanging.
        if (closed) return resolve(closed);
        pending.set(id, resolve as (r: Result<unknown>) => void);
        if (socket.readyState === 1) socket.send(text);
        else queue.push(text);
      });
    },
    on(name, handler) {
      let set = listeners.get(name);
      if (!set) listeners.set(name, (set = new Set()));
      set.add(handler as Listener);
      return () => set.delete(handler as Listener);
    },
  };
}
