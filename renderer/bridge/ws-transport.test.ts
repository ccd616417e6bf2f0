import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { encodeBatchFrame } from '../../shared/contract/ws-batch';
import { createWsApi, type SocketLike } from './ws-transport';

function fakeSocket() {
  const handlers: Record<string, ((ev: { data?: unknown }) => void)[]> = {};
  const sent: string[] = [];
  const socket: SocketLike = {
    readyState: 1,
    send: (d) => sent.push(d),
    addEventListener: (type, fn) => (handlers[type] ??= []).push(fn),
  };
  const deliver = (data: string): void => handlers.message?.forEach((h) => h({ data }));
  return { socket, sent, deliver };
}

describe('serve-mode flow control in the page', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('acknowledges a stream.batch after its listeners ran and a frame passed; other events get none', () => {
    const { socket, sent, deliver } = fakeSocket();
    const api = createWsApi(socket);
    const seen: string[] = [];
    api.on('stream.batch', () => seen.push(`batch, acks so far ${sent.length}`));
    deliver(JSON.stringify({ kind: 'event', name: 'stream.state', payload: {} }));
    deliver(
      encodeBatchFrame('stream.batch', {
        sessionId: 's',
        streamId: 't',
        rows: [{ seq: 1, type: 'insert', lsn: '0/1', rel: 'public.t', summary: '', json: '{}' }],
        dropped: 0,
      }),
    );
    expect(seen).toEqual(['batch, acks so far 0']);
    expect(sent).toEqual([]);
    vi.runAllTimers();
    expect(sent).toEqual(['{"kind":"ack"}']);
  });
});
