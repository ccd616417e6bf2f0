import { spawn, type ChildProcess } from 'node:child_process';
import net from 'node:net';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { freePort } from '../../main/net/free-port';
import { cleanEnv } from '../support/cli';
import { eventually } from '../support/eventually';
import { fullMajors, startPostgres, startStandby, type PgServer } from '../support/postgres';
import { prometheusBinary, startPrometheus, type Prometheus } from '../support/prometheus';

const BIN = path.resolve(__dirname, '../../bin/walscope.mjs');
const SCRAPE_SECONDS = 1;
const hasPrometheus = prometheusBinary() !== undefined;
if (!hasPrometheus) {
  console.warn('exporter.int.test: skipped, prometheus is not installed (apt-get install prometheus; .ci/run does)');
}

/** `walscope exporter` as a child process, resolved once it prints where it serves. */
async function startExporter(args: string[]): Promise<{ child: ChildProcess; stop: () => Promise<void> }> {
  const child = spawn(process.execPath, [BIN, 'exporter', ...args], {
    env: cleanEnv(),
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let out = '';
  child.stdout!.on('data', (d: Buffer) => (out += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (out += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  await eventually(async () => {
    if (child.exitCode !== null) throw new Error(`exporter exited ${child.exitCode}: ${out}`);
    return out.includes('/metrics');
  }, 30_000);
  return {
    child,
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

describe.skipIf(!hasPrometheus).each(fullMajors())(
  'walscope exporter scraped by Prometheus, PostgreSQL %i',
  (major) => {
    let primary: PgServer;
    let standby: PgServer;
    let subscriber: PgServer;
    let blackHole: net.Server;
    let exporter: Awaited<ReturnType<typeof startExporter>>;
    let prom: Prometheus;

    beforeAll(async () => {
      primary = await startPostgres({ major, name: 'exp-primary' });
      standby = await startStandby(primary);
      subscriber = await startPostgres({ major, name: 'exp-sub' });
      await primary.query(`CREATE TABLE t (id int PRIMARY KEY, v text); CREATE PUBLICATION exp_pub FOR TABLE t`);
      await subscriber.query(`CREATE TABLE t (id int PRIMARY KEY, v text)`);
      await subscriber.query(
        `CREATE SUBSCRIPTION exp_sub CONNECTION 'host=127.0.0.1 port=${primary.port} user=${primary.user} password=${primary.password} dbname=postgres' PUBLICATION exp_pub`,
      );
      // A slot nobody consumes, holding back the WAL written after it.
      await primary.query(`SELECT pg_create_logical_replication_slot('exp_idle', 'test_decoding')`);
      await primary.query(`INSERT INTO t SELECT g, repeat('x', 200) FROM generate_series(1, 20000) g`);
      // A server that accepts connections and never answers: it must not hold up the others.
      blackHole = net.createServer(() => undefined);
      await new Promise<void>((r) => blackHole.listen(0, '127.0.0.1', r));
      const holePort = (blackHole.address() as net.AddressInfo).port;
      const port = await freePort();
      exporter = await startExporter([
        '--dsn',
        `primary=${primary.dsn()}`,
        '--dsn',
        `standby=${standby.dsn()}`,
        '--dsn',
        `sub=${subscriber.dsn()}`,
        '--dsn',
        `hang=postgresql://u:p@127.0.0.1:${holePort}/postgres?sslmode=disable&connect_timeout=30`,
        '--listen',
        `127.0.0.1:${port}`,
        '--interval',
        '500ms',
        '--timeout',
        '2s',
      ]);
      prom = await startPrometheus({ target: `127.0.0.1:${port}`, intervalSeconds: SCRAPE_SECONDS });
    });

    afterAll(async () => {
      await prom?.stop();
      await exporter?.stop();
      blackHole?.close();
      await subscriber?.destroy();
      await standby?.destroy();
      await primary?.destroy();
    });

    const value = async (promql: string): Promise<number | undefined> => (await prom.query(promql))[0]?.values[0]?.[1];

    it('reports the three servers up and the silent one down, and scrapes stay quick', async () => {
      await eventually(async () => (await prom.query('walscope_up == 1')).length === 3, 30_000);
      const up = await prom.query('walscope_up');
      expect(Object.fromEntries(up.map((s) => [s.labels['server'], s.values[0]![1]]))).toEqual({
        primary: 1,
        standby: 1,
        sub: 1,
        hang: 0,
      });
      expect(await value('walscope_server_in_recovery{server="standby"}')).toBe(1);
      // Scrapes read the last results: the silent server's 2 s timeout never shows in them.
      expect(await value('max_over_time(scrape_duration_seconds{job="walscope"}[1m])')).toBeLessThan(0.5);
    });

    it("a slot's retained bytes are within 5 % of pg_wal_lsn_diff on the server", async () => {
      await eventually(async () => {
        const scraped = await value('walscope_slot_retained_bytes{server="primary",slot="exp_idle"}');
        const [row] = await primary.query<{ d: string }>(
          `SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), restart_lsn)::text AS d FROM pg_replication_slots WHERE slot_name = 'exp_idle'`,
        );
        const truth = Number(row!.d);
        return truth > 1_000_000 && scraped !== undefined && Math.abs(scraped - truth) / truth < 0.05;
      }, 20_000);
      expect(await value('walscope_slot_active{server="primary",slot="exp_idle"}')).toBe(0);
      expect(await value('walscope_slot_wal_status{server="primary",slot="exp_idle",status="reserved"}')).toBe(1);
    });

    it('standby lag per stage and the subscription lag are present', async () => {
      await eventually(
        async () =>
          (await prom.query('walscope_standby_lag_bytes{server="primary",application_name="walscope_test_standby"}'))
            .length === 3,
        20_000,
      );
      const stages = await prom.query('walscope_standby_lag_seconds{server="primary"}');
      expect(stages.map((s) => s.labels['stage']).sort()).toEqual(['flush', 'replay', 'write']);
      await eventually(
        async () =>
          (await value('walscope_subscription_lag_bytes{server="sub",subscription="exp_sub",publisher="primary"}')) !==
          undefined,
        20_000,
      );
    });

    it('walscope_up turns 0 for a stopped server within two scrapes after the stop', async () => {
      await subscriber.stop('fast');
      const stoppedAt = Date.now() / 1000;
      await eventually(async () => (await value('walscope_up{server="sub"}')) === 0, 20_000);
      const [series] = await prom.query('walscope_up{server="sub"}[1m]');
      const after = series!.values.filter(([t]) => t > stoppedAt);
      const firstDown = after.findIndex(([, v]) => v === 0);
      expect(firstDown).toBeGreaterThanOrEqual(0);
      expect(firstDown).toBeLessThan(2);
      expect(await value('walscope_up{server="primary"}')).toBe(1);
    });
  },
);
