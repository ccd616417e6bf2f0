import { describe, expect, it } from 'vitest';
import { recordTypeName, rmgrName } from './rmgr-names';

// Names as each major's *_identify functions give them; 15–18 are also checked record for record
// against pg_walinspect (test/wal/wal-differential.int.test.ts).
describe('resource manager and record type names per major', () => {
  it('names built-in resource managers by id and custom ones (15+) as custom###', () => {
    expect([0, 1, 9, 10, 11, 21].map(rmgrName)).toEqual([
      'XLOG',
      'Transaction',
      'Heap2',
      'Heap',
      'Btree',
      'LogicalMessage',
    ]);
    expect(rmgrName(130)).toBe('custom130');
  });

  it('follows the Heap2 pruning records through their renames (13: CLEAN, 14: PRUNE, 17: PRUNE_ON_ACCESS)', () => {
    expect([12, 13, 14, 16, 17, 18].map((m) => recordTypeName(9, 0x10, m))).toEqual([
      'CLEAN',
      'CLEAN',
      'PRUNE',
      'PRUNE',
      'PRUNE_ON_ACCESS',
      'PRUNE_ON_ACCESS',
    ]);
    expect(recordTypeName(9, 0x30, 13)).toBe('CLEANUP_INFO');
    expect(recordTypeName(9, 0x30, 16)).toBe('FREEZE_PAGE');
    expect(recordTypeName(9, 0x50 | 0x80, 18)).toBe('MULTI_INSERT+INIT');
  });

  it('marks +INIT heap records, ignores the transaction HAS_INFO bit and the low info bits', () => {
    expect(recordTypeName(10, 0x80, 18)).toBe('INSERT+INIT');
    expect(recordTypeName(10, 0x40 | 0x80 | 0x01, 18)).toBe('HOT_UPDATE+INIT');
    expect(recordTypeName(1, 0x80, 18)).toBe('COMMIT');
    expect(recordTypeName(1, 0x60, 13)).toBe('UNKNOWN (60)');
    expect(recordTypeName(1, 0x60, 14)).toBe('INVALIDATION');
  });

  it('knows what each major added or renamed (Database 15, Btree 13, CHECKPOINT_REDO 17)', () => {
    expect(recordTypeName(4, 0x00, 14)).toBe('CREATE');
    expect(recordTypeName(4, 0x00, 15)).toBe('CREATE_FILE_COPY');
    expect(recordTypeName(11, 0x60, 12)).toBe('UNKNOWN (60)');
    expect(recordTypeName(11, 0x60, 13)).toBe('DEDUP');
    expect(recordTypeName(0, 0xe0, 16)).toBe('UNKNOWN (e0)');
    expect(recordTypeName(0, 0xe0, 17)).toBe('CHECKPOINT_REDO');
  });
});
