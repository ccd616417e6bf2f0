import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { WireRow } from '../../shared/contract';
import { StreamBatcher } from './stream-batcher';

const msg = (seq: number): WireRow => ({ seq, type: 'insert', lsn: '0/1', rel: 'public.t', summary: '', json: '{}' });

describe('StreamBatcher', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends at most one batch per interval', () => {
    const batches: number[][] = [];
    const b = new StreamBatcher((ms) => batches.push(ms.map((m) => m.seq)), 100, 33);
    for (let i = 0; i < 10; i++) b.push(msg(i));
    expect(batches).toHaveLength(0);
    vi.advanceTimersByTime(33);
    expect(batches).toEqual([[0, 1, 2, 3, 4, 5, 6, 7, 8, 9]]);
  });

  it('drops the oldest rows, and counts them, under a producer 10x faster than the consumer', () => {
    const received: number[] = [];
    let droppedReported = 0;
    let busyUntil = 0;
    const consumerMsPerRow = 1; // the view takes 1 ms a row
    const b = new StreamBatcher(
      (ms, dropped) => {
        received.push(...ms.map((m) => m.seq));
        droppedReported += dropped;
        busyUntil = Date.now() + ms.length * consumerMsPerRow;
      },
      500,
      33,
      () => Date.now() >= busyUntil,
    );
    const produced = 10_000;
    for (let i = 0; i < produced; i++) {
      b.push(msg(i)); // 10 rows per ms: 10x what the consumer handles
      if (i % 10 === 9) vi.advanceTimersByTime(1);
    }
    vi.advanceTimersByTime(2000);
    b.close();
    expect(received.length + droppedReported).toBe(produced);
    expect(droppedReported).toBeGreaterThan(produced / 2);
    expect(b.totalDropped).toBe(droppedReported);
    // What arrives is in order and ends with the newest rows.
    for (let i = 1; i < received.length; i++) expect(received[i]!).toBeGreaterThan(received[i - 1]!);
    expect(received[received.length - 1]).toBe(produced - 1);
    expect(b.pending).toBe(0);
  });

  it('splits a large flush into events of at most maxPerEvent rows, dropped count on the first', () => {
    const events: { seqs: number[]; dropped: number }[] = [];
    const b = new StreamBatcher(
      (ms, dropped) => events.push({ seqs: ms.map((m) => m.seq), dropped }),
      1000,
      33,
      () => true,
      400,
    );
    for (let i = 0; i < 1100; i++) b.push(msg(i));
    vi.advanceTimersByTime(33);
    expect(events.map((e) => e.seqs.length)).toEqual([400, 400, 200]);
    expect(events.map((e) => e.dropped)).toEqual([100, 0, 0]);
    expect(events.flatMap((e) => e.seqs)).toEqual(Array.from({ length: 1000 }, (_, i) => i + 100));
  });
});

describe('StreamBatcher under flow control (ready asked before every event)', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  it('sends no more events once the view is behind; the rest coalesces with newer rows, the excess counted', () => {
    const events: { seqs: number[]; dropped: number }[] = [];
    let credit = 1; // the page takes one more event, then must acknowledge it
    const b = new StreamBatcher(
      (ms, dropped) => {
        credit--;
        events.push({ seqs: ms.map((m) => m.seq), dropped });
      },
      1000,
      33,
      () => credit > 0,
      400,
    );
    for (let i = 0; i < 900; i++) b.push(msg(i));
    vi.advanceTimersByTime(33);
    expect(events.map((e) => e.seqs.length)).toEqual([400]);
    expect(b.pending).toBe(500);
    for (let i = 900; i < 1600; i++) b.push(msg(i)); // 1,200 waiting: the oldest 200 dropped
    vi.advanceTimersByTime(33);
    expect(events).toHaveLength(1);
    credit = 2; // two acknowledgements came
    vi.advanceTimersByTime(33);
    expect(events.slice(1).map((e) => [e.seqs[0], e.seqs.length, e.dropped])).toEqual([
      [600, 400, 200],
      [1000, 400, 0],
    ]);
    credit = 10;
    vi.advanceTimersByTime(33);
    expect(events.flatMap((e) => e.seqs)).toEqual([
      ...Array.from({ length: 400 }, (_, i) => i),
      ...Array.from({ length: 1000 }, (_, i) => i + 600),
    ]);
    expect(b.totalDropped).toBe(200);
  });
});
