import fs from 'node:fs';
import { resolveConnectionSettings, toPgClientConfig } from '../connection';
import { parseDurationSetting } from '../connection/duration';
import { Fleet, type FleetTarget } from '../exporter/fleet';
import { startMetricsServer } from '../exporter/http';
import { isLoopbackAddress, urlHost } from '../serve/access';
import { APP_VERSION } from '../version';
import { flag, parseArgs, usage, value, values } from './args';
import type { CliIo } from './stream-command';

/**
 * The exporter's own default port. postgres_exporter has 9187; the Prometheus wiki's table of
 * default ports has covered all of 9100–9999 since 2023, so no 9xxx port is free of every
 * registration: 9854 is not used by any exporter commonly run beside PostgreSQL (docs/EXPORTER.md).
 */
export const DEFAULT_EXPORTER_PORT = 9854;

const SERVER_NAME = /^[A-Za-z0-9_.-]{1,64}$/;

export interface ExporterConfig {
  targets: FleetTarget[];
  host: string;
  port: number;
  intervalMs: number;
  timeoutMs: number;
  concurrency: number;
  token?: string;
  warnings: string[];
}

function duration(text: string | undefined, fallback: string, name: string): number {
  try {
    return parseDurationSetting(text ?? fallback);
  } catch {
    throw usage(`--${name} takes a duration such as 15s, 500ms or 1min`);
  }
}

/** `HOST:PORT`, `[IPv6]:PORT`, or `:PORT` (loopback). */
export function parseListen(text: string): { host: string; port: number } {
  const m = /^(?:\[([^\]]+)\]|([^:[\]]*)):(\d{1,5})$/.exec(text);
  const port = m ? Number(m[3]) : NaN;
  if (!m || !(port >= 0 && port <= 65535)) throw usage('--listen takes HOST:PORT, e.g. 127.0.0.1:9854 or [::1]:9854');
  return { host: m[1] ?? (m[2] || '127.0.0.1'), port };
}

function readToken(file: string): string {
  let text: string;
  let mode: number;
  try {
    mode = fs.statSync(file).mode;
    text = fs.readFileSync(file, 'utf8').trim();
  } catch (e) {
    throw usage(`cannot read --bearer-token-file ${file}: ${(e as NodeJS.ErrnoException).code ?? String(e)}`);
  }
  if ((mode & 0o077) !== 0) throw usage(`--bearer-token-file ${file} is readable by others; chmod 600 it`);
  if (text.length < 16 || /\s/.test(text)) {
    throw usage(`--bearer-token-file ${file} must hold one token of at least 16 characters and no spaces`);
  }
  return text;
}

/** The command line read into a configuration; nothing connects or listens yet. */
export function exporterConfig(argv: readonly string[], env: NodeJS.ProcessEnv): ExporterConfig {
  const args = parseArgs(argv, {
    booleans: ['allow-remote'],
    values: ['service', 'dsn', 'listen', 'interval', 'timeout', 'concurrency', 'bearer-token-file'],
  });
  if (args.positionals.length) throw usage(`unexpected argument ${JSON.stringify(args.positionals[0])}`);
  const applicationName = `walscope-exporter/${APP_VERSION}`;
  const named: Array<{ name: string; settings: ReturnType<typeof resolveConnectionSettings> }> = [];
  for (const service of values(args, 'service')) {
    if (!SERVER_NAME.test(service)) throw usage(`--service ${JSON.stringify(service)} is not a service name`);
    // The section of pg_service.conf, with PG* variables and .pgpass filling what it leaves out (libpq's order).
    named.push({
      name: service,
      settings: resolveConnectionSettings({ applicationName }, { ...env, PGSERVICE: service }),
    });
  }
  for (const spec of values(args, 'dsn')) {
    const eq = spec.indexOf('=');
    const name = eq > 0 ? spec.slice(0, eq) : '';
    if (!SERVER_NAME.test(name))
      throw usage('--dsn takes NAME=DSN, NAME made of letters, digits, _ . - (the server label)');
    named.push({ name, settings: resolveConnectionSettings({ dsn: spec.slice(eq + 1), applicationName }, env) });
  }
  if (named.length === 0) throw usage('name at least one server: --service NAME or --dsn NAME=DSN');
  const names = new Set<string>();
  for (const n of named) {
    if (names.has(n.name)) throw usage(`server name ${JSON.stringify(n.name)} is given twice`);
    names.add(n.name);
  }
  const { host, port } = value(args, 'listen')
    ? parseListen(value(args, 'listen')!)
    : { host: '127.0.0.1', port: DEFAULT_EXPORTER_PORT };
  const tokenFile = value(args, 'bearer-token-file');
  if (!isLoopbackAddress(host)) {
    if (!flag(args, 'allow-remote') || tokenFile === undefined) {
      throw usage(
        `listening on ${host} exposes your servers' replication state to the network: it needs --allow-remote and --bearer-token-file FILE`,
      );
    }
  }
  const intervalMs = duration(value(args, 'interval'), '15s', 'interval');
  // Default: 5 s, or one interval when polls are more frequent than that.
  const timeoutMs = duration(value(args, 'timeout'), `${Math.min(5000, intervalMs)}ms`, 'timeout');
  const concurrency = Number(value(args, 'concurrency') ?? '8');
  if (!(intervalMs >= 100)) throw usage('--interval must be at least 100ms');
  if (!(timeoutMs >= 100) || timeoutMs > intervalMs * 4)
    throw usage('--timeout must be between 100ms and four intervals');
  if (!Number.isInteger(concurrency) || concurrency < 1 || concurrency > 256) throw usage('--concurrency takes 1–256');
  return {
    targets: named.map((n) => ({ name: n.name, config: toPgClientConfig(n.settings) })),
    host,
    port,
    intervalMs,
    timeoutMs,
    concurrency,
    ...(tokenFile !== undefined ? { token: readToken(tokenFile) } : {}),
    warnings: named.flatMap((n) => n.settings.warnings.map((w) => `${n.name}: ${w}`)),
  };
}

/**
 * `walscope exporter`: polls many servers with the monitor's catalog readers and serves
 * Prometheus metrics on /metrics until interrupted (docs/EXPORTER.md).
 */
export async function exporterCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const cfg = exporterConfig(argv, io.env);
  for (const w of cfg.warnings) io.stderr.write(`walscope: warning: ${w}\n`);
  const fleet = new Fleet(cfg.targets, {
    intervalMs: cfg.intervalMs,
    timeoutMs: cfg.timeoutMs,
    concurrency: cfg.concurrency,
  });
  const server = await startMetricsServer({
    host: cfg.host,
    port: cfg.port,
    ...(cfg.token !== undefined ? { token: cfg.token } : {}),
    families: () => fleet.families(),
  }).catch((e: NodeJS.ErrnoException) => {
    throw usage(`cannot listen on ${cfg.host}:${cfg.port}: ${e.code ?? e.message}`);
  });
  fleet.start();
  if (!isLoopbackAddress(cfg.host)) {
    io.stderr.write(
      `walscope: warning: listening on ${cfg.host} without TLS: the bearer token crosses the network in clear text. Prefer a TLS proxy or an SSH tunnel.\n`,
    );
  }
  io.stdout.write(
    `walscope exporter: ${cfg.targets.length} server(s) every ${cfg.intervalMs / 1000}s, metrics at http://${urlHost(server.address.host)}:${server.address.port}/metrics\n`,
  );
  await new Promise<void>((resolve) => {
    const stop = (): void => {
      io.offSignal(stop);
      resolve();
    };
    io.onSignal(stop);
  });
  await server.close();
  await fleet.close();
  return 0;
}
