import { describe, expect, it } from 'vitest';
import type { SlotView } from '../../shared/contract/dto';
import { WalscopeError } from '../../shared/errors';
import { parseLsn } from '../../shared/lsn';
import { planAdvance } from './slot-advance';

function slot(over: Partial<SlotView>): SlotView {
  return {
    name: 's',
    columns: {},
    slotType: 'logical',
    plugin: 'pgoutput',
    database: 'postgres',
    active: false,
    activePid: null,
    consumer: null,
    temporary: false,
    restartLsn: '0/1000',
    confirmedFlushLsn: '0/2000',
    retainedBytes: null,
    pendingBytes: null,
    safeWalSize: null,
    walStatus: 'reserved',
    status: 'inactive',
    inactiveSinceMs: null,
    ownedByWalscope: false,
    ...over,
  };
}

function refusal(fn: () => unknown): WalscopeError {
  try {
    fn();
  } catch (e) {
    if (e instanceof WalscopeError) return e;
    throw e;
  }
  throw new Error('expected a refusal');
}

describe('planning an advance', () => {
  it('skips the bytes from confirmed_flush_lsn to the requested position', () => {
    const p = planAdvance(slot({}), parseLsn('0/2800'), parseLsn('0/9000'));
    expect(p).toMatchObject({ from: 0x2000n, target: 0x2800n, clamped: false, skippedBytes: 0x800n });
  });

  it('a physical slot moves from restart_lsn', () => {
    const p = planAdvance(slot({ slotType: 'physical', confirmedFlushLsn: null }), undefined, parseLsn('0/1800'));
    expect(p).toMatchObject({ from: 0x1000n, target: 0x1800n, skippedBytes: 0x800n });
  });

  it('clamps to the flushed WAL, as the server does, and says so', () => {
    const p = planAdvance(slot({}), parseLsn('FF/0'), parseLsn('0/9000'));
    expect(p).toMatchObject({ requested: parseLsn('FF/0'), target: 0x9000n, clamped: true, skippedBytes: 0x7000n });
  });

  it('without a position, advances to the flushed WAL', () => {
    expect(planAdvance(slot({}), undefined, parseLsn('0/9000'))).toMatchObject({ target: 0x9000n, clamped: false });
  });

  it('refuses to move backwards, naming both positions', () => {
    const e = refusal(() => planAdvance(slot({}), parseLsn('0/1800'), parseLsn('0/9000')));
    expect(e.code).toBe('INVALID_ARGUMENT');
    expect(e.message).toMatch(/is at 0\/2000, and 0\/1800 is before it/);
  });

  it('refuses an active slot', () => {
    const e = refusal(() => planAdvance(slot({ active: true, activePid: 77 }), undefined, parseLsn('0/9000')));
    expect(e.code).toBe('SLOT_IN_USE');
    expect(e.message).toMatch(/active for PID 77/);
  });

  it('refuses a slot that never reserved WAL', () => {
    const e = refusal(() =>
      planAdvance(slot({ slotType: 'physical', restartLsn: null, confirmedFlushLsn: null }), undefined, 0x9000n),
    );
    expect(e.code).toBe('INVALID_ARGUMENT');
  });
});
