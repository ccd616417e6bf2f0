import { describe, expect, it, vi } from 'vitest';
import { CONTRACT_VERSION, type WalscopeApi, type WireMessage, type WireRow } from '../shared/contract';
import type { DecodedMessage, MessageType, Tuple, TupleValue } from '../shared/messages';
import { tupleOf } from '../shared/tuple';
import { withContractCheck } from './bridge/contract-check';
import { toWireRow } from '../shared/wire-row';
import { createWsApi, type SocketLike } from './bridge/ws-transport';
import { EMPTY_FILTER, matches } from './lib/filters';
import { cellText, hexDump, humanBytes, humanDuration, summaryOf } from './lib/format';
import { RingBuffer } from './lib/ring-buffer';
import { sortSlots } from './stores/monitor-store';
import { IncrementalRows } from './lib/visible-rows';
import { indexOfSeq, nextTransaction, visibleRows, type RowView } from './stores/stream-store';

const seqs = (v: RowView): number[] => Array.from({ length: v.length }, (_, i) => v.at(i).seq);
const m = (seq: number, type: MessageType, extra: Record<string, unknown> = {}): WireMessage => ({
  seq,
  type,
  lsn: `0/${seq.toString(16)}`,
  ...extra,
});
/** A row as main makes it: from a decoded message (bigint LSN), tuples given as `[name, value]` pairs. */
const r = (seq: number, type: MessageType, extra: Record<string, unknown> = {}): WireRow =>
  toWireRow({ type, lsn: BigInt(seq), ...extra } as unknown as DecodedMessage, seq);
const tup = (...entries: [string, TupleValue][]): Tuple => tupleOf(entries);

describe('ring buffer', () => {
  it('keeps the newest rows within capacity and counts evictions', () => {
    const r = new RingBuffer<number>(3);
    for (let i = 0; i < 5; i++) r.push(i);
    expect(r.toArray()).toEqual([2, 3, 4]);
    expect(r.size).toBe(3);
    expect(r.evicted).toBe(2);
    expect(r.at(0)).toBe(2);
    expect(r.at(3)).toBeUndefined();
    r.clear();
    expect(r.size).toBe(0);
  });
});

describe('wire rows', () => {
  it('carry the message LSN, xid and type as fields beside its JSON', () => {
    const row = r(7, 'insert', { lsn: 0x1_0000_00a0n, xid: 42, schema: 'public', table: 't', new: tup(['id', '1']) });
    expect(row).toMatchObject({ seq: 7, type: 'insert', lsn: '1/A0', xid: 42, rel: 'public.t', summary: 'id=1' });
  });
});

describe('formatting', () => {
  it('formats bytes, durations, values and hex', () => {
    expect(humanBytes(0)).toBe('0 B');
    expect(humanBytes(1536)).toBe('1.5 kB');
    expect(humanBytes(5 * 1024 ** 3)).toBe('5.0 GB');
    expect(humanBytes(null)).toBe('—');
    expect(humanDuration(250)).toBe('250 ms');
    expect(humanDuration(90_000)).toBe('1 min 30 s');
    expect(cellText(null)).toBe('NULL');
    expect(cellText('')).toBe('');
    expect(cellText({ unchangedToast: true })).toBe('(unchanged TOAST)');
    expect(hexDump('414243')).toBe('000000  41 42 43' + ' '.repeat(39) + '  ABC');
    expect(hexDump('41424344454647484950', 4096, 8)).toBe(
      '000000  41 42 43 44 45 46 47 48  ABCDEFGH\n000008  49 50' + ' '.repeat(18) + '  IP',
    );
    expect(summaryOf(m(1, 'insert', { new: tup(['id', '1'], ['name', null]) }))).toBe('id=1 name=NULL');
  });
});

describe('stream filters and grouping', () => {
  const list = new RingBuffer<WireRow>(100);
  [
    r(1, 'begin', { xid: 10 }),
    r(2, 'insert', { xid: 10, schema: 'public', table: 'orders', new: tup(['id', '1']) }),
    r(3, 'commit', { xid: 10 }),
    r(4, 'begin', { xid: 11 }),
    r(5, 'delete', { xid: 11, schema: 'public', table: 'items', key: tup(['id', '9']) }),
    r(6, 'commit', { xid: 11 }),
  ].forEach((x) => list.push(x));

  it('filters by relation, op, xid and text', () => {
    expect(seqs(visibleRows(list, { ...EMPTY_FILTER, relation: 'ORDERS' }, new Set()))).toEqual([2]);
    expect(seqs(visibleRows(list, { ...EMPTY_FILTER, op: 'delete' }, new Set()))).toEqual([5]);
    expect(seqs(visibleRows(list, { ...EMPTY_FILTER, xid: '11' }, new Set()))).toEqual([4, 5, 6]);
    expect(seqs(visibleRows(list, { ...EMPTY_FILTER, text: 'id=9' }, new Set()))).toEqual([5]);
    expect(matches(r(7, 'insert'), EMPTY_FILTER)).toBe(true);
  });
  it('collapses a transaction to its BEGIN and steps between transactions', () => {
    const shown = visibleRows(list, EMPTY_FILTER, new Set([10]));
    expect(seqs(shown)).toEqual([1, 4, 5, 6]);
    const all = visibleRows(list, EMPTY_FILTER, new Set());
    expect(seqs(all)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(indexOfSeq(all, 5)).toBe(4);
    expect(indexOfSeq(all, null)).toBe(-1);
    expect(nextTransaction(shown, 0, 1)).toBe(1);
    expect(nextTransaction(shown, 1, -1)).toBe(0);
    expect(nextTransaction(shown, 1, 1)).toBe(1);
  });
});

describe('slots table sorting', () => {
  it('sorts with nulls last and name as tie-break', () => {
    const s = (name: string, retainedBytes: number | null) => ({ name, retainedBytes }) as never;
    const sorted = sortSlots([s('b', 5), s('a', null), s('c', 5), s('d', 1)], 'retainedBytes', -1);
    expect(sorted.map((x: { name: string }) => x.name)).toEqual(['b', 'c', 'd', 'a']);
  });
});

describe('WebSocket transport', () => {
  const fakeSocket = () => {
    const sent: string[] = [];
    const listeners: Record<string, ((ev: { data?: unknown }) => void)[]> = {};
    const socket: SocketLike = {
      readyState: 0,
      send: (d) => sent.push(d),
      addEventListener: (t, fn) => (listeners[t] ??= []).push(fn),
    };
    const fire = (t: string, data?: unknown): void => listeners[t]!.forEach((f) => f({ data }));
    return { sent, socket, fire };
  };

  it('queues until open, matches results by id and fans out events', async () => {
    const { sent, socket, fire } = fakeSocket();
    const api = createWsApi(socket);
    const got: unknown[] = [];
    api.on('session.state', (p) => got.push(p));
    const p = api.invoke('app.info', {});
    expect(sent).toEqual([]);
    socket.readyState = 1;
    fire('open');
    const frame = JSON.parse(sent[0]!) as { id: number; name: string };
    expect(frame.name).toBe('app.info');
    fire('message', JSON.stringify({ kind: 'hello', contractVersion: CONTRACT_VERSION }));
    fire('message', JSON.stringify({ kind: 'result', id: frame.id, result: { ok: true, value: 42 } }));
    expect(await p).toEqual({ ok: true, value: 42 });
    fire('message', JSON.stringify({ kind: 'event', name: 'session.state', payload: { state: 'connected' } }));
    expect(got).toEqual([{ state: 'connected' }]);
    const lost = api.invoke('profiles.list', {});
    fire('close');
    expect(await lost).toMatchObject({ ok: false, error: { code: 'CONNECTION' } });
  });

  it('a server speaking another contract version: pending and later requests get a CONTRACT error', async () => {
    const { sent, socket, fire } = fakeSocket();
    const mismatches: number[] = [];
    const api = createWsApi(socket, (v) => mismatches.push(v));
    socket.readyState = 1;
    fire('open');
    const pending = api.invoke('app.info', {});
    fire('message', JSON.stringify({ kind: 'hello', contractVersion: CONTRACT_VERSION + 1 }));
    const error = { code: 'CONTRACT', message: expect.stringContaining(`engine speaks ${CONTRACT_VERSION + 1}`) };
    expect(await pending).toMatchObject({ ok: false, error });
    const sentBefore = sent.length;
    expect(await api.invoke('profiles.list', {})).toMatchObject({ ok: false, error });
    expect(sent).toHaveLength(sentBefore); // nothing more goes to that server
    expect(mismatches).toEqual([CONTRACT_VERSION + 1]);
  });
});

describe('desktop API contract check', () => {
  const fakeApi = (engineVersion: number) => {
    const calls: string[] = [];
    const api = {
      invoke: async (name: string) => {
        calls.push(name);
        return name === 'app.info' ? { ok: true, value: { contractVersion: engineVersion } } : { ok: true, value: [] };
      },
      on: () => () => undefined,
    } as unknown as WalscopeApi;
    return { api, calls };
  };

  it('passes requests on to an engine of the same version', async () => {
    const { api, calls } = fakeApi(CONTRACT_VERSION);
    expect(await withContractCheck(api).invoke('profiles.list', {})).toEqual({ ok: true, value: [] });
    expect(calls).toEqual(['app.info', 'profiles.list']);
  });

  it('answers every request with a CONTRACT error when the engine speaks another version', async () => {
    const { api, calls } = fakeApi(CONTRACT_VERSION + 1);
    const r = await withContractCheck(api).invoke('profiles.list', {});
    expect(r).toMatchObject({ ok: false, error: { code: 'CONTRACT' } });
    expect(calls).toEqual(['app.info']);
  });
});

describe('stream store', () => {
  it('appends batches outside React, holds rows while paused and keeps counting', async () => {
    const { createStreamStore } = await import('./stores/stream-store');
    const useStream = createStreamStore();
    const s = useStream.getState();
    const rows = s.rows;
    useStream.setState({ streamId: 'x', paused: false, received: 0, droppedInView: 0 });
    s.applyBatch({ sessionId: 's', streamId: 'x', rows: [r(1, 'begin'), r(2, 'insert')], dropped: 0 });
    expect(rows.size).toBe(2);
    useStream.getState().setPaused(true);
    useStream.getState().applyBatch({ sessionId: 's', streamId: 'x', rows: [r(3, 'commit')], dropped: 4 });
    expect(rows.size).toBe(2);
    // Counters are published with the next refresh of the list, not per batch.
    expect(useStream.getState().received).toBe(0);
    await vi.waitFor(() => expect(useStream.getState().received).toBe(3));
    expect(useStream.getState().droppedInView).toBe(4);
    useStream.getState().setPaused(false);
    expect(rows.size).toBe(3);
    useStream.getState().applyBatch({ sessionId: 's', streamId: 'other', rows: [r(9, 'insert')], dropped: 0 });
    expect(rows.size).toBe(3); // another stream's rows are not mixed in
  });
});

describe('fixed-height rows', () => {
  it('computes the visible range arithmetically, with overscan and bounds', async () => {
    const { visibleRange } = await import('./lib/fixed-rows');
    expect(visibleRange(0, 260, 100_000, 26, 5)).toEqual({ start: 0, end: 16 });
    expect(visibleRange(26 * 1000, 260, 100_000, 26, 5)).toEqual({ start: 995, end: 1016 });
    expect(visibleRange(26 * 99_990, 260, 100_000, 26, 5)).toEqual({ start: 99_985, end: 100_000 });
    expect(visibleRange(0, 260, 3, 26, 5)).toEqual({ start: 0, end: 3 });
  });
});

describe('incremental visible rows', () => {
  // Random streams of small transactions through a small ring, with filters and collapsed sets
  // changing now and then: after every batch the incremental view equals a full re-filter.
  it('equals a full pass after every batch (once backfilled), across eviction, clears and filter changes', () => {
    let seed = 7;
    const rand = (n: number): number => {
      seed = (Math.imul(seed, 1103515245) + 12345) >>> 0;
      return (seed >>> 16) % n;
    };
    const ring = new RingBuffer<WireRow>(50);
    const inc = new IncrementalRows(7);
    const filters = [
      EMPTY_FILTER,
      { ...EMPTY_FILTER, op: 'insert' },
      { ...EMPTY_FILTER, text: 'id=1' },
      { ...EMPTY_FILTER, relation: 'b' },
    ];
    let filter = filters[1]!;
    let collapsed: ReadonlySet<number> = new Set();
    let seq = 0;
    let xid = 100;
    let nonEmpty = 0;
    for (let batch = 0; batch < 400; batch++) {
      const txs = rand(10) === 0 ? 8 : rand(4); // now and then more than the ring holds
      for (let t = 0; t < txs; t++) {
        xid++;
        ring.push(r(seq++, 'begin', { xid }));
        for (let k = rand(8); k >= 0; k--)
          ring.push(
            r(seq++, (['insert', 'update', 'delete'] as const)[rand(3)]!, {
              xid,
              schema: 'public',
              table: rand(2) ? 'a' : 'b',
              new: tup(['id', String(rand(20))]),
            }),
          );
        ring.push(r(seq++, 'commit', { xid }));
      }
      if (rand(10) === 0) filter = filters[rand(filters.length)]!;
      if (rand(15) === 0) collapsed = new Set([xid - rand(5)]);
      if (rand(60) === 0) ring.clear();
      const full = seqs(visibleRows(ring, filter, collapsed));
      let shown = seqs(inc.view(ring, filter, collapsed));
      // Until the backfill is done, what is shown is the newest part of the result.
      while (!inc.complete) {
        expect(shown).toEqual(full.slice(full.length - shown.length));
        shown = seqs(inc.view(ring, filter, collapsed));
      }
      expect(shown).toEqual(full);
      nonEmpty += shown.length > 0 && shown.length < ring.size ? 1 : 0;
    }
    expect(nonEmpty).toBeGreaterThan(100);
  });
});
