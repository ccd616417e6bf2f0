import { describe, expect, it } from 'vitest';
import type { SlotView, StandbyView } from '../../shared/contract/dto';
import { computeAlerts, DEFAULT_THRESHOLDS, humanBytes } from './alerts';
import { slotStatus, toSlotView } from './catalog';
import { LagHistory } from './lag-history';

const slot = (over: Partial<SlotView>): SlotView => ({
  name: 's',
  columns: {},
  slotType: 'logical',
  plugin: 'pgoutput',
  database: 'db',
  active: false,
  activePid: null,
  consumer: null,
  temporary: false,
  restartLsn: '0/1',
  confirmedFlushLsn: '0/1',
  retainedBytes: 0,
  pendingBytes: 0,
  safeWalSize: null,
  walStatus: 'reserved',
  status: 'inactive',
  inactiveSinceMs: null,
  ownedByWalscope: false,
  ...over,
});

describe('slot status and alerts', () => {
  it('derives status with lost > conflicting > unreserved > active/inactive', () => {
    expect(slotStatus({ active: true, walStatus: 'lost', conflicting: true })).toBe('lost');
    expect(slotStatus({ active: true, walStatus: 'reserved', conflicting: true })).toBe('conflicting');
    expect(slotStatus({ active: true, walStatus: 'unreserved', conflicting: false })).toBe('unreserved');
    expect(slotStatus({ active: true, walStatus: 'reserved', conflicting: false })).toBe('active');
    expect(slotStatus({ active: false, walStatus: null, conflicting: false })).toBe('inactive');
  });

  it('remembers when a slot went inactive on servers without inactive_since', () => {
    const seen = new Map<string, number>();
    const ctx = {
      serverVersionNum: 150000,
      prefix: 'walscope_',
      registry: new Set<string>(),
      inactiveSeen: seen,
      now: 1000,
    };
    expect(toSlotView({ slot_name: 'a', active: false }, ctx).inactiveSinceMs).toBe(1000);
    expect(toSlotView({ slot_name: 'a', active: false }, { ...ctx, now: 5000 }).inactiveSinceMs).toBe(1000);
    expect(toSlotView({ slot_name: 'a', active: true }, ctx).inactiveSinceMs).toBeNull();
    expect(seen.has('a')).toBe(false);
    expect(toSlotView({ slot_name: 'walscope_x', active: true }, ctx).ownedByWalscope).toBe(true);
    const since = new Date(42);
    expect(toSlotView({ slot_name: 'b', active: false, inactive_since: since }, ctx).inactiveSinceMs).toBe(42);
  });

  it('raises the alerts a DBA wants, with thresholds', () => {
    const now = 1_000_000;
    const alerts = computeAlerts(
      [
        slot({ name: 'old', inactiveSinceMs: now - 301_000 }),
        slot({ name: 'fat', active: true, status: 'active', retainedBytes: 2 * 1024 ** 3 }),
        slot({ name: 'gone', status: 'lost', walStatus: 'lost' }),
        slot({ name: 'edge', status: 'unreserved', walStatus: 'unreserved', active: true }),
        slot({ name: 'tmp', temporary: true, inactiveSinceMs: 0 }),
      ],
      [{ pid: 7, applicationName: 'sb', replayLagBytes: 100 * 1024 ** 2, replayLagMs: 31_000 } as StandbyView],
      DEFAULT_THRESHOLDS,
      now,
    );
    expect(alerts.map((a) => a.key).sort()).toEqual(
      [
        'slot:edge:unreserved',
        'slot:fat:retained',
        'slot:gone:lost',
        'slot:old:inactive',
        'standby:7:bytes',
        'standby:7:time',
      ].sort(),
    );
    expect(humanBytes(2 * 1024 ** 3)).toBe('2.0 GB');
    expect(humanBytes(10)).toBe('10 B');
  });
});

describe('lag history', () => {
  it('stays bounded over a simulated 30-minute run at 1 s and at 10 ms', () => {
    for (const intervalMs of [1000, 10]) {
      const windowMs = 60_000;
      const h = new LagHistory(Math.ceil(windowMs / intervalMs), windowMs);
      let sizeAt10Min = 0;
      const steps = (30 * 60_000) / intervalMs;
      for (let i = 0; i < steps; i++) {
        const t = i * intervalMs;
        // Slots come and go: a series that disappears is forgotten after a window.
        const series = ['slot:a', `slot:churn_${Math.floor(t / 120_000)}`];
        h.add(
          series.map((s) => ({ series: s, t, bytes: i, timeLagMs: null, lsn: '0/1' })),
          t,
        );
        if (i % 7 === 0) h.delta();
        if (t === 10 * 60_000) sizeAt10Min = h.pointCount;
      }
      expect(h.pointCount).toBeLessThanOrEqual(sizeAt10Min * 1.5);
      expect(h.seriesKeys().length).toBeLessThanOrEqual(3);
      const last = h.since('slot:a', 0);
      expect(last.length).toBe(Math.ceil(windowMs / intervalMs));
      expect(last[last.length - 1]!.bytes).toBe(steps - 1);
    }
  });

  it('hands out deltas once', () => {
    const h = new LagHistory(10, 10_000);
    h.add([{ series: 'x', t: 1, bytes: 5, timeLagMs: 3, lsn: null }], 1);
    expect(h.delta()).toHaveLength(1);
    expect(h.delta()).toHaveLength(0);
  });
});
