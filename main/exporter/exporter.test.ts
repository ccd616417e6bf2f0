import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import type { SlotView } from '../../shared/contract/dto';
import { WalscopeError } from '../../shared/errors';
import { exporterConfig, parseListen } from '../cli/exporter-command';
import { render, negotiateFormat, type MetricFamily } from './exposition';
import { buildFamilies, type ServerState } from './families';
import { bearerToken, respond } from './http';
import { Semaphore } from './server-poller';
import { subscriptionLags } from './subscriptions';

const PROMETHEUS_ACCEPT =
  'application/openmetrics-text;version=1.0.0,application/openmetrics-text;version=0.0.1;q=0.75,text/plain;version=0.0.4;q=0.5,*/*;q=0.1';

describe('exposition', () => {
  const families: MetricFamily[] = [
    { name: 'walscope_up', type: 'gauge', help: 'Up.', samples: [{ labels: { server: 'a"b\\c\nd' }, value: 1 }] },
    {
      name: 'walscope_slot_spill_bytes_total',
      type: 'counter',
      help: 'Spilled\nbytes.',
      samples: [{ labels: { server: 'a', slot: 's' }, value: 12 }],
    },
    { name: 'walscope_slot_retained_bytes', type: 'gauge', help: 'R.', samples: [] },
  ];

  it('writes the text format with HELP and TYPE per family and escaped label values', () => {
    expect(render(families, 'text')).toBe(
      [
        '# HELP walscope_up Up.',
        '# TYPE walscope_up gauge',
        'walscope_up{server="a\\"b\\\\c\\nd"} 1',
        '# HELP walscope_slot_spill_bytes_total Spilled\\nbytes.',
        '# TYPE walscope_slot_spill_bytes_total counter',
        'walscope_slot_spill_bytes_total{server="a",slot="s"} 12',
        '# HELP walscope_slot_retained_bytes R.',
        '# TYPE walscope_slot_retained_bytes gauge',
        '',
      ].join('\n'),
    );
  });

  it('writes OpenMetrics with counter families named without _total, units, and # EOF', () => {
    const text = render(families, 'openmetrics');
    expect(text).toContain('# TYPE walscope_slot_spill_bytes counter\n# UNIT walscope_slot_spill_bytes bytes\n');
    expect(text).toContain('walscope_slot_spill_bytes_total{server="a",slot="s"} 12\n');
    expect(text.endsWith('# EOF\n')).toBe(true);
  });

  it('refuses _total on a gauge and a counter without it', () => {
    expect(() => render([{ name: 'x_total', type: 'gauge', help: '', samples: [] }], 'text')).toThrow(/_total/);
    expect(() => render([{ name: 'x_bytes', type: 'counter', help: '', samples: [] }], 'text')).toThrow(/_total/);
  });

  it("answers Prometheus's Accept with OpenMetrics, and anything else with the text format", () => {
    expect(negotiateFormat(PROMETHEUS_ACCEPT)).toBe('openmetrics');
    expect(negotiateFormat(undefined)).toBe('text');
    expect(negotiateFormat('*/*')).toBe('text');
    expect(negotiateFormat('application/openmetrics-text;version=0.0.1,text/plain;q=0.5')).toBe('text');
    expect(negotiateFormat('text/plain;version=0.0.4;q=0.9,application/openmetrics-text;q=0.5')).toBe('text');
  });
});

function slot(over: Partial<SlotView>): SlotView {
  return {
    name: 's',
    columns: {},
    slotType: 'logical',
    plugin: 'pgoutput',
    database: 'postgres',
    active: true,
    activePid: 1,
    consumer: 'sub1',
    temporary: false,
    restartLsn: '0/100',
    confirmedFlushLsn: '0/200',
    retainedBytes: 100,
    pendingBytes: 50,
    safeWalSize: null,
    walStatus: 'reserved',
    status: 'active',
    inactiveSinceMs: null,
    ownedByWalscope: false,
    ...over,
  };
}

describe('metric families', () => {
  const state = (name: string, slots: SlotView[], up = true): ServerState => ({
    name,
    up,
    pollSeconds: 0.01,
    readings: { at: 0, currentLsn: '0/1000', inRecovery: false, slots, standbys: [], subscriptions: [] },
  });
  const samples = (fams: MetricFamily[], name: string): MetricFamily['samples'] =>
    fams.find((f) => f.name === name)!.samples;

  it('gives one wal_status series per status, 1 for the current one', () => {
    const fams = buildFamilies([state('a', [slot({ walStatus: 'unreserved' })])], 0);
    expect(samples(fams, 'walscope_slot_wal_status').map((s) => [s.labels['status'], s.value])).toEqual([
      ['reserved', 0],
      ['extended', 0],
      ['unreserved', 1],
      ['lost', 0],
    ]);
  });

  it('leaves temporary slots out, and exposes only walscope_up and the poll time of a server that is down', () => {
    const fams = buildFamilies([state('a', [slot({ temporary: true })]), state('b', [slot({})], false)], 0);
    expect(samples(fams, 'walscope_slot_retained_bytes')).toEqual([]);
    expect(samples(fams, 'walscope_up').map((s) => s.value)).toEqual([1, 0]);
    expect(samples(fams, 'walscope_server_wal_lsn_bytes').map((s) => s.labels['server'])).toEqual(['a']);
  });

  it('gives each standby three stages and its client address without the host mask', () => {
    const st = state('a', []);
    st.readings!.standbys = [
      {
        pid: 7,
        applicationName: 'replica1',
        clientAddr: '10.0.0.2/32',
        state: 'streaming',
        syncState: 'async',
        sentLsn: null,
        writeLsn: null,
        flushLsn: null,
        replayLsn: null,
        writeLagBytes: 1,
        flushLagBytes: 2,
        replayLagBytes: 3,
        writeLagMs: 1000,
        flushLagMs: null,
        replayLagMs: 3000,
        replyTime: null,
        slotName: null,
      },
    ];
    const fams = buildFamilies([st], 0);
    expect(
      samples(fams, 'walscope_standby_lag_bytes').map((s) => [s.labels['client_addr'], s.labels['stage'], s.value]),
    ).toEqual([
      ['10.0.0.2', 'write', 1],
      ['10.0.0.2', 'flush', 2],
      ['10.0.0.2', 'replay', 3],
    ]);
    expect(samples(fams, 'walscope_standby_lag_seconds').map((s) => s.value)).toEqual([1, 0, 3]);
  });

  it('counts inactive seconds from inactive_since, 0 while active', () => {
    const fams = buildFamilies(
      [state('a', [slot({ name: 'idle', active: false, inactiveSinceMs: 10_000 }), slot({ name: 'busy' })])],
      70_000,
    );
    expect(samples(fams, 'walscope_slot_inactive_seconds').map((s) => s.value)).toEqual([60, 0]);
  });
});

describe('subscription lag', () => {
  const pub = (server: string, slots: SlotView[]): { server: string; currentLsn: bigint; slots: SlotView[] } => ({
    server,
    currentLsn: 0x1000n,
    slots,
  });
  const sub = { name: 'sub1', database: 'd', slotName: 's', enabled: true, receivedLsn: 0x0f00n };

  it("is the publisher's current position minus what the worker received", () => {
    expect(subscriptionLags('x', [sub], [pub('p', [slot({})])])).toEqual([
      { subscription: 'sub1', database: 'd', publisher: 'p', bytes: 0x100 },
    ]);
  });

  it('gives no value when two watched servers could be the publisher, or the slot has another consumer', () => {
    expect(subscriptionLags('x', [sub], [pub('p', [slot({})]), pub('q', [slot({ active: false })])])).toEqual([]);
    expect(subscriptionLags('x', [sub], [pub('p', [slot({ consumer: 'other' })])])).toEqual([]);
  });
});

describe('exporter command line and access', () => {
  it('reads HOST:PORT, [IPv6]:PORT and :PORT', () => {
    expect(parseListen('0.0.0.0:9854')).toEqual({ host: '0.0.0.0', port: 9854 });
    expect(parseListen('[::1]:1')).toEqual({ host: '::1', port: 1 });
    expect(parseListen(':9')).toEqual({ host: '127.0.0.1', port: 9 });
    expect(() => parseListen('host')).toThrow();
  });

  const env = { PGPASSFILE: '/nonexistent', PGSERVICEFILE: '/nonexistent' };
  const dsn = ['--dsn', 'a=postgresql://u@127.0.0.1:5432/postgres'];

  it('listens on 127.0.0.1:9854 by default', () => {
    const c = exporterConfig(dsn, env);
    expect([c.host, c.port, c.intervalMs, c.token]).toEqual(['127.0.0.1', 9854, 15_000, undefined]);
  });

  it('refuses a non-loopback listen without --allow-remote and a bearer token file', () => {
    const refused = ((): unknown => {
      try {
        return exporterConfig([...dsn, '--listen', '0.0.0.0:9854'], env);
      } catch (e) {
        return e;
      }
    })();
    expect(refused instanceof WalscopeError && refused.code).toBe('INVALID_ARGUMENT');
    expect(() => exporterConfig([...dsn, '--listen', '0.0.0.0:9854', '--allow-remote'], env)).toThrow(
      /--bearer-token-file/,
    );
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-token-'));
    const file = path.join(dir, 'token');
    fs.writeFileSync(file, 'a-long-enough-token-123\n', { mode: 0o600 });
    const c = exporterConfig([...dsn, '--listen', '0.0.0.0:9854', '--allow-remote', '--bearer-token-file', file], env);
    expect(c.token).toBe('a-long-enough-token-123');
    fs.chmodSync(file, 0o644);
    expect(() =>
      exporterConfig([...dsn, '--listen', '0.0.0.0:9854', '--allow-remote', '--bearer-token-file', file], env),
    ).toThrow(/readable by others/);
    fs.rmSync(dir, { recursive: true });
  });

  it('reads a --service from pg_service.conf, its password from .pgpass, and names the server after it', () => {
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-svc-'));
    fs.writeFileSync(path.join(dir, 'svc.conf'), '[prod1]\nhost=db1.example\nport=6543\nuser=mon\n');
    fs.writeFileSync(path.join(dir, 'pgpass'), 'db1.example:6543:*:mon:s3cret\n', { mode: 0o600 });
    const c = exporterConfig(['--service', 'prod1'], {
      PGSERVICEFILE: path.join(dir, 'svc.conf'),
      PGPASSFILE: path.join(dir, 'pgpass'),
    });
    expect(c.targets.map((t) => [t.name, t.config.host, t.config.port, t.config.user, t.config.password])).toEqual([
      ['prod1', 'db1.example', 6543, 'mon', 's3cret'],
    ]);
    fs.rmSync(dir, { recursive: true });
  });

  it('answers 401 without the bearer token and the metrics with it', () => {
    const opts = { token: 'secret-token-0123456789', families: (): MetricFamily[] => [] };
    expect(respond({ method: 'GET', url: '/metrics', headers: {} }, opts).status).toBe(401);
    expect(respond({ method: 'GET', url: '/metrics', headers: { authorization: 'Bearer nope' } }, opts).status).toBe(
      401,
    );
    const ok = respond(
      { method: 'GET', url: '/metrics', headers: { authorization: 'bearer secret-token-0123456789' } },
      opts,
    );
    expect(ok.status).toBe(200);
    expect(ok.headers['content-type']).toBe('text/plain; version=0.0.4; charset=utf-8');
    expect(bearerToken('Basic abc')).toBeUndefined();
  });
});

describe('poll concurrency cap', () => {
  it('lets at most `limit` holders in at once and the next one in when one leaves', async () => {
    const gate = new Semaphore(2);
    const a = await gate.acquire();
    await gate.acquire();
    let third = false;
    const waiting = gate.acquire().then((release) => {
      third = true;
      return release;
    });
    await new Promise((r) => setImmediate(r));
    expect(third).toBe(false);
    a();
    a(); // releasing twice frees one place, not two
    (await waiting)();
    expect(third).toBe(true);
    let fourth = false;
    void gate.acquire().then(() => (fourth = true));
    await new Promise((r) => setImmediate(r));
    expect(fourth).toBe(true);
  });
});
