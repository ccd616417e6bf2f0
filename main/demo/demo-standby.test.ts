import { describe, expect, it } from 'vitest';
import { backupCopies, postgresBinaryFromOpts } from './demo-standby';

describe('backupCopies (what a low-level base backup leaves out)', () => {
  it('skips postmaster files, an old backup label, WAL, slots, temporary files and relcache init files', () => {
    for (const p of [
      'postmaster.pid',
      'postmaster.opts',
      'backup_label',
      'pg_wal/000000010000000000000001',
      'pg_wal/archive_status',
      'pg_replslot/demo_consumer',
      'pg_stat_tmp/global.stat',
      'pg_subtrans/0000',
      'base/pgsql_tmp',
      'base/5/pg_internal.init',
    ])
      expect(backupCopies(p), p).toBe(false);
  });

  it('copies the directories themselves, the configuration and the relation files', () => {
    for (const p of ['pg_wal', 'pg_replslot', 'postgresql.auto.conf', 'global/pg_control', 'base/5/1259', 'pg_logical'])
      expect(backupCopies(p), p).toBe(true);
  });
});

describe('postgresBinaryFromOpts', () => {
  it('reads the unquoted binary path, spaces included, before the quoted arguments', () => {
    expect(postgresBinaryFromOpts('/opt/pg 18/bin/postgres "-D" "/tmp/x" "-p" "5432"\n')).toBe(
      '/opt/pg 18/bin/postgres',
    );
  });
});
