import { describe, expect, it } from 'vitest';
import type { EventPayload, LinkSnapshot, WalRow } from '../../shared/contract';
import { toWireRow } from '../../shared/wire-row';
import type { DecodedMessage } from '../../shared/messages';
import { serverHealth, worstLag } from '../lib/server-health';
import { SessionRegistry } from './session-registry';

const row = (seq: number) => toWireRow({ type: 'insert', lsn: BigInt(seq) } as unknown as DecodedMessage, seq);
const walRow = (seq: number): WalRow => ({
  seq,
  lsn: `0/${seq}`,
  rmgr: 'Heap',
  recordType: 'INSERT',
  length: 60,
  fpi: 0,
  xid: 7,
  relation: 'public.t',
  description: '',
});
const snapshot = (sessionId: string, currentLsn: string) =>
  ({
    sessionId,
    at: 1,
    overview: { currentLsn },
    slots: [],
    standbys: [],
    alerts: [],
    orphans: [],
  }) as unknown as EventPayload<'monitor.snapshot'>;

describe('session registry: events go to their own server', () => {
  it('a stream batch, WAL records, a snapshot and lag points for server B land in B while A is shown, not in A', async () => {
    const registry = new SessionRegistry();
    const a = registry.ensure('A'); // the server shown
    const b = registry.ensure('B');
    a.stream.setState({ streamId: 'sa' });
    b.stream.setState({ streamId: 'sb' });
    b.wal.setState({ walId: 'wb' });

    registry.route('stream.batch', { sessionId: 'B', streamId: 'sb', rows: [row(1), row(2)], dropped: 0 });
    registry.route('wal.batch', { sessionId: 'B', walId: 'wb', rows: [walRow(1)], dropped: 0 });
    registry.route('monitor.snapshot', snapshot('B', '0/B0'));
    registry.route('lag.delta', {
      sessionId: 'B',
      points: [{ series: 'slot:s', t: 1000, bytes: 5, timeLagMs: null, lsn: '0/1' }],
    });

    expect(b.stream.getState().rows.size).toBe(2);
    expect(b.wal.getState().walRows.size).toBe(1);
    expect(b.monitor.getState().overview?.currentLsn).toBe('0/B0');
    expect(b.monitor.getState().lagSeries.get('slot:s')?.bytes).toEqual([5]);
    await expect.poll(() => b.stream.getState().received).toBe(2);

    expect(a.stream.getState().rows.size).toBe(0);
    expect(a.wal.getState().walRows.size).toBe(0);
    expect(a.monitor.getState().overview).toBeNull();
    expect(a.monitor.getState().lagSeries.size).toBe(0);
  });

  it('stream stats and state reach only the server whose stream they are', () => {
    const registry = new SessionRegistry();
    const a = registry.ensure('A');
    const b = registry.ensure('B');
    a.stream.setState({ streamId: 'sa', state: 'streaming' });
    b.stream.setState({ streamId: 'sb', state: 'streaming' });
    registry.route('stream.state', { sessionId: 'B', streamId: 'sb', state: 'reconnecting', mode: 'inspect' });
    const stats = { lastKeepaliveAgeMs: 5 } as unknown as EventPayload<'stream.stats'>['stats'];
    registry.route('stream.stats', { sessionId: 'B', streamId: 'sb', stats });
    expect(b.stream.getState().state).toBe('reconnecting');
    expect(b.stream.getState().stats).toBe(stats);
    expect(a.stream.getState().state).toBe('streaming');
    expect(a.stream.getState().stats).toBeNull();
  });

  it('the window’s logical links reach the servers at either end of each, not a third; a snapshot only its own server', () => {
    const registry = new SessionRegistry();
    const [a, b, c] = ['A', 'B', 'C'].map((id) => registry.ensure(id).logical);
    const link = (pub: string, sub: string) =>
      ({
        at: 1,
        publisherSessionId: pub,
        subscriberSessionId: sub,
        polledAt: { publisher: 1, subscriber: 1 },
        pairs: [],
        flags: [],
      }) as LinkSnapshot;
    registry.route('logical.link', { links: [link('A', 'B')] });
    expect(a!.getState().links.map((l) => l.subscriberSessionId)).toEqual(['B']);
    expect(b!.getState().links.map((l) => l.publisherSessionId)).toEqual(['A']);
    expect(c!.getState().links).toEqual([]);
    registry.route('logical.link', { links: [] });
    expect(b!.getState().links).toEqual([]);
    registry.route('monitor.snapshot', {
      ...snapshot('A', '0/9'),
      logical: { port: 1 },
    } as EventPayload<'monitor.snapshot'>);
    expect(a!.getState().self).toEqual({ port: 1 });
    expect(b!.getState().self).toBeNull();
  });

  it('drops the events of a server that was disconnected', () => {
    const registry = new SessionRegistry();
    registry.ensure('A');
    registry.delete('A');
    registry.route('monitor.snapshot', snapshot('A', '0/1'));
    expect(registry.get('A')).toBeUndefined();
  });
});

describe('server sidebar figures', () => {
  it('health: reconnecting, then critical and warning alerts, else ok', () => {
    const alert = (severity: 'warning' | 'critical') => ({ key: 'k', severity, subject: 's', message: 'm' });
    expect(serverHealth('reconnecting', [alert('critical')])).toBe('reconnecting');
    expect(serverHealth('connected', [alert('warning'), alert('critical')])).toBe('bad');
    expect(serverHealth('connected', [alert('warning')])).toBe('warn');
    expect(serverHealth('connected', [])).toBe('ok');
    expect(serverHealth('closed', [])).toBe('bad');
  });

  it('worst lag: the largest of slot retained/pending bytes and standby replay lag, named', () => {
    const slot = (name: string, retainedBytes: number | null, pendingBytes: number | null) =>
      ({ name, retainedBytes, pendingBytes }) as unknown as Parameters<typeof worstLag>[0][number];
    const standby = (applicationName: string, replayLagBytes: number | null) =>
      ({ applicationName, replayLagBytes }) as unknown as Parameters<typeof worstLag>[1][number];
    expect(worstLag([], [])).toBeNull();
    expect(worstLag([slot('a', 100, 40), slot('b', null, null)], [standby('s1', 300)])).toEqual({
      bytes: 300,
      what: 'standby s1 replay lag',
    });
    expect(worstLag([slot('a', 100, 400)], [standby('s1', null)])).toEqual({ bytes: 400, what: 'slot a has pending' });
  });
});
