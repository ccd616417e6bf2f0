import { describe, expect, it } from 'vitest';
import type { DecodedMessage } from '../../shared/messages';
import { tupleOf, tupleValue } from '../../shared/tuple';
import { ResumeFilter } from './resume-filter';

const rel = (id: number, table = 't'): DecodedMessage => ({
  type: 'relation',
  lsn: 0n,
  relationId: id,
  schema: 'public',
  table,
  replicaIdentity: 'd',
  columns: [{ key: true, name: 'id', typeOid: 23, typeMod: -1 }],
});
const begin = (xid: number, finalLsn: bigint): DecodedMessage => ({
  type: 'begin',
  lsn: finalLsn - 100n,
  xid,
  finalLsn,
  commitTime: 0n,
});
const ins = (lsn: bigint, id: number, xid?: number): DecodedMessage => ({
  type: 'insert',
  lsn,
  ...(xid !== undefined ? { xid } : {}),
  relationId: 1,
  schema: 'public',
  table: 't',
  new: tupleOf([['id', String(id)]]),
});
const commit = (lsn: bigint): DecodedMessage => ({
  type: 'commit',
  lsn,
  flags: 0,
  commitLsn: lsn - 8n,
  endLsn: lsn,
  commitTime: 0n,
});

function feed(f: ResumeFilter, ms: DecodedMessage[]): DecodedMessage[] {
  const out: DecodedMessage[] = [];
  for (const m of ms) f.accept(m, (x) => out.push(x));
  return out;
}

describe('ResumeFilter', () => {
  it('hands everything on when nothing repeats', () => {
    const f = new ResumeFilter();
    const ms = [rel(1), begin(10, 200n), ins(150n, 1), ins(150n, 2), commit(200n)];
    expect(feed(f, ms)).toEqual(ms);
  });

  it('skips the part of a cut transaction already handed on, even with equal LSNs', () => {
    const f = new ResumeFilter();
    const first = feed(f, [rel(1), begin(10, 200n), ins(150n, 1), ins(150n, 2)]);
    expect(first).toHaveLength(4);
    f.reconnected();
    const again = feed(f, [rel(1), begin(10, 200n), ins(150n, 1), ins(150n, 2), ins(150n, 3), commit(200n)]);
    expect(again).toEqual([ins(150n, 3), commit(200n)]);
  });

  it('re-announces a relation only when it changed', () => {
    const f = new ResumeFilter();
    expect(feed(f, [rel(1)])).toHaveLength(1);
    f.reconnected();
    expect(feed(f, [rel(1)])).toHaveLength(0);
    expect(feed(f, [rel(1, 'renamed')])).toHaveLength(1);
  });

  it('de-duplicates streamed transactions across differently chunked blocks', () => {
    const f = new ResumeFilter();
    const start = (xid: number, first: boolean): DecodedMessage => ({
      type: 'stream_start',
      lsn: 0n,
      xid,
      firstSegment: first,
    });
    const stop: DecodedMessage = { type: 'stream_stop', lsn: 0n };
    const out1 = feed(f, [start(7, true), ins(10n, 1, 7), ins(11n, 2, 7), stop, start(7, false), ins(12n, 3, 7)]);
    expect(out1.map((m) => m.type)).toEqual([
      'stream_start',
      'insert',
      'insert',
      'stream_stop',
      'stream_start',
      'insert',
    ]);
    f.reconnected();
    // The server re-streams from the start, chunked differently.
    const out2 = feed(f, [
      start(7, true),
      ins(10n, 1, 7),
      ins(11n, 2, 7),
      ins(12n, 3, 7),
      stop,
      start(7, false),
      ins(13n, 4, 7),
      stop,
      { type: 'stream_commit', lsn: 20n, xid: 7, flags: 0, commitLsn: 19n, endLsn: 20n, commitTime: 0n },
    ]);
    expect(out2.map((m) => (m.type === 'insert' ? `insert:${String(tupleValue(m.new, 'id'))}` : m.type))).toEqual([
      'stream_start',
      'insert:4',
      'stream_stop',
      'stream_commit',
    ]);
  });

  it('skips a non-transactional message already handed on, keeps later ones', () => {
    const f = new ResumeFilter();
    const msg = (lsn: bigint): DecodedMessage => ({
      type: 'message',
      lsn,
      transactional: false,
      messageLsn: lsn,
      prefix: 'p',
      content: 'x',
      contentHex: '78',
    });
    expect(feed(f, [msg(5n)])).toHaveLength(1);
    f.reconnected();
    expect(feed(f, [msg(5n), msg(6n)])).toEqual([msg(6n)]);
  });

  it('after a partly handed transaction is discarded (gap), the next one is handed on whole', () => {
    const f = new ResumeFilter();
    feed(f, [begin(10, 200n), ins(150n, 1)]);
    f.discardOpen();
    expect(feed(f, [begin(11, 300n), ins(250n, 1), commit(300n)])).toHaveLength(3);
  });
});
