/**
 * `npm run compare:exporters`: what `walscope exporter` and Debian's prometheus-postgres-exporter
 * (apt-get install prometheus-postgres-exporter) expose about replication, on the same server. One
 * PostgreSQL primary with a streaming standby (through a physical slot), an idle logical slot and a
 * subscriber's slot; both exporters scrape the primary; the replication-related metric families of
 * each are listed with their series count and one series' labels, and written into
 * docs/EXPORTER.md between the compare markers.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { freePort } from '../main/net/free-port';
import { eventually } from '../test/support/eventually';
import { startPostgres, startStandby, type PgServer } from '../test/support/postgres';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const PG_EXPORTER = '/usr/bin/prometheus-postgres-exporter';
/** Families about replication, WAL, slots, standbys, recovery and target health. */
const RELEVANT = /replication|slot|wal|lsn|standby|subscription|recovery|replica|lag|(^|_)up$/;
/** Server settings (postgres_exporter's pg_settings_*): configuration, not replication state; counted, not listed. */
const SETTINGS = /^pg_settings_/;

interface Family {
  name: string;
  type: string;
  help: string;
  series: number;
  example: string;
}

function families(text: string): Family[] {
  const out = new Map<string, Family>();
  for (const line of text.split('\n')) {
    const help = /^# HELP (\S+) (.*)$/.exec(line);
    const type = /^# TYPE (\S+) (\S+)$/.exec(line);
    if (help && !out.has(help[1]!))
      out.set(help[1]!, { name: help[1]!, type: '', help: help[2]!, series: 0, example: '' });
    else if (type) {
      const f = out.get(type[1]!) ?? { name: type[1]!, type: '', help: '', series: 0, example: '' };
      f.type = type[2]!;
      out.set(type[1]!, f);
    } else if (line && !line.startsWith('#')) {
      const name = /^[^{ ]+/.exec(line)![0];
      const f = out.get(name) ?? out.get(name.replace(/_(total|sum|count|bucket)$/, ''));
      if (f) {
        f.series++;
        if (!f.example) f.example = /^[^ ]+/.exec(line)![0].slice(name.length);
      }
    }
  }
  return [...out.values()].filter((f) => RELEVANT.test(f.name)).sort((a, b) => a.name.localeCompare(b.name));
}

function listed(list: Family[]): string {
  const settings = list.filter((f) => SETTINGS.test(f.name));
  return (
    table(list.filter((f) => !SETTINGS.test(f.name))) +
    (settings.length
      ? `\nAnd ${settings.length} \`pg_settings_*\` families matching the pattern (one series per server each: configuration values such as \`max_wal_senders\`).\n`
      : '')
  );
}

async function run(bin: string, args: string[], env: NodeJS.ProcessEnv, url: string, ready: RegExp): Promise<string> {
  const child: ChildProcess = spawn(bin, args, { env, stdio: ['ignore', 'ignore', 'pipe'] });
  let err = '';
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  try {
    // The first scrape that shows `ready` (walscope polls in the background).
    return await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`${bin} exited: ${err}`);
      const text = await (await fetch(url)).text();
      return ready.test(text) ? text : '';
    }, 30_000);
  } finally {
    child.kill('SIGTERM');
    await new Promise((r) => (child.exitCode !== null ? r(null) : child.once('close', r)));
  }
}

function table(list: Family[]): string {
  return (
    "| family | type | series | one series' labels | HELP |\n|---|---|---|---|---|\n" +
    list
      .map(
        (f) =>
          `| \`${f.name}\` | ${f.type} | ${f.series} | ${f.example ? `\`${f.example.replace(/\|/g, '\\|')}\`` : ''} | ${f.help.replace(/\|/g, '\\|').slice(0, 120)} |`,
      )
      .join('\n') +
    '\n'
  );
}

interface Setup {
  primary: PgServer;
  standby: PgServer;
  sub: PgServer;
}

/** The primary, its streaming standby, a subscriber, and an idle logical slot; each pushed to `servers` once up. */
async function startServers(servers: PgServer[]): Promise<Setup> {
  const primary = await startPostgres({ name: 'cmp-primary' });
  servers.push(primary);
  const standby = await startStandby(primary, { slot: 'standby_slot' });
  servers.push(standby);
  const sub = await startPostgres({ name: 'cmp-sub' });
  servers.push(sub);
  await primary.query(`CREATE TABLE t (id int PRIMARY KEY); CREATE PUBLICATION pub FOR TABLE t`);
  await sub.query(`CREATE TABLE t (id int PRIMARY KEY)`);
  await sub.query(
    `CREATE SUBSCRIPTION orders CONNECTION 'host=127.0.0.1 port=${primary.port} user=${primary.user} password=${primary.password} dbname=postgres' PUBLICATION pub`,
  );
  await primary.query(`SELECT pg_create_logical_replication_slot('idle_slot', 'test_decoding')`);
  await primary.query(`INSERT INTO t SELECT generate_series(1, 10000)`);
  return { primary, standby, sub };
}

async function scrapeWalscope({ primary, standby, sub }: Setup): Promise<string> {
  const wPort = await freePort();
  return run(
    process.execPath,
    [
      path.join(ROOT, 'bin/walscope.mjs'),
      'exporter',
      ...['--dsn', `primary=${primary.dsn()}`, '--dsn', `standby=${standby.dsn()}`, '--dsn', `subscriber=${sub.dsn()}`],
      '--listen',
      `127.0.0.1:${wPort}`,
      '--interval',
      '1s',
    ],
    process.env,
    `http://127.0.0.1:${wPort}/metrics`,
    /^walscope_subscription_lag_bytes\{/m,
  );
}

/**
 * One postgres_exporter per server: 0.11 takes several in a comma-separated DATA_SOURCE_NAME,
 * but its newer collectors then report the same series twice and the scrape fails.
 */
async function scrapePgExporter({ primary, standby, sub }: Setup): Promise<string> {
  const pgExporter: string[] = [];
  for (const [x, ready] of [
    [primary, /^pg_stat_replication_pg_wal_lsn_diff\{/m],
    [standby, /^pg_up /m],
    [sub, /^pg_up /m],
  ] as const) {
    const pPort = await freePort();
    pgExporter.push(
      await run(
        PG_EXPORTER,
        [`--web.listen-address=127.0.0.1:${pPort}`],
        { ...process.env, DATA_SOURCE_NAME: x.dsn() },
        `http://127.0.0.1:${pPort}/metrics`,
        ready,
      ),
    );
  }
  return pgExporter.join('\n');
}

async function pgExporterVersion(): Promise<string> {
  return (
    await new Promise<string>((resolve) => {
      const c = spawn(PG_EXPORTER, ['--version'], { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      c.stdout!.on('data', (d: Buffer) => (out += d.toString()));
      c.stderr!.on('data', (d: Buffer) => (out += d.toString()));
      c.on('close', () => resolve(out.split('\n')[0] ?? ''));
    })
  ).trim();
}

/** Replaces what lies between the compare markers of docs/EXPORTER.md. */
function writeSection(section: string): void {
  const doc = path.join(ROOT, 'docs/EXPORTER.md');
  const text = fs.readFileSync(doc, 'utf8');
  const start = '<!-- compare:start -->';
  const end = '<!-- compare:end -->';
  const a = text.indexOf(start);
  const b = text.indexOf(end);
  if (a < 0 || b < a) throw new Error('docs/EXPORTER.md lacks the compare markers');
  fs.writeFileSync(doc, `${text.slice(0, a + start.length)}\n${section}${text.slice(b)}`);
}

async function main(): Promise<void> {
  if (!fs.existsSync(PG_EXPORTER)) {
    throw new Error(`${PG_EXPORTER} is missing: apt-get install prometheus-postgres-exporter`);
  }
  const servers: PgServer[] = [];
  try {
    const setup = await startServers(servers);
    const walscope = await scrapeWalscope(setup);
    const pgExporter = await scrapePgExporter(setup);
    const version = await pgExporterVersion();
    const section =
      `## Side by side (generated ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC)\n\n` +
      `Three PostgreSQL ${setup.primary.major} servers: a primary with a streaming standby (physical slot \`standby_slot\`), a subscriber (subscription and slot \`orders\`) and an idle logical slot (\`idle_slot\`); walscope watches all three, and one postgres_exporter per server scrapes each, all with default settings; series are counted over the three servers. ` +
      `Families matching \`${RELEVANT.source}\`.\n\n` +
      `### walscope exporter\n\n${listed(families(walscope))}\n` +
      `### ${version || 'prometheus-postgres-exporter'} (Debian)\n\n${listed(families(pgExporter))}`;
    writeSection(section);
    console.log(section);
  } finally {
    for (const s of servers.reverse()) await s.destroy();
  }
}

await main();
