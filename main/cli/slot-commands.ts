import { WalscopeError } from '../../shared/errors';
import { humanBytes } from '../../shared/format';
import { toPgClientConfig } from '../connection';
import { ServerMonitor } from '../monitor/server-monitor';
import { validateSlotName } from '../protocol/commands';
import { flag, parseArgs, usage, value, type ParsedArgs } from './args';
import { settingsFrom } from './connect';
import type { CliIo } from './stream-command';

/**
 * `create-slot`, `drop-slot` and `advance` go through the monitor's SlotOperations, the code the
 * UI uses, so both refuse the same things the same way. Dropping and advancing lose data for the
 * slot's consumer: without --yes they print what would happen (JSON on stdout), change nothing,
 * and exit 2; with --yes they run through the same one-time confirmation as the UI.
 */
function json(io: CliIo, v: unknown): void {
  io.stdout.write(JSON.stringify(v, null, 2) + '\n');
}

async function withMonitor<T>(args: ParsedArgs, io: CliIo, fn: (m: ServerMonitor) => Promise<T>): Promise<T> {
  const monitor = await ServerMonitor.open(toPgClientConfig(settingsFrom(value(args, 'dsn'), io.env)));
  try {
    return await fn(monitor);
  } finally {
    await monitor.close(); // a temporary slot goes with its connection here
  }
}

function seconds(args: ParsedArgs, name: string): number | undefined {
  const text = value(args, name);
  if (text === undefined) return undefined;
  const n = Number(text);
  if (!(n > 0)) throw usage(`--${name} takes a number of seconds`);
  return n;
}

function slotName(args: ParsedArgs, command: string): string {
  const name = args.positionals[0];
  if (!name) throw usage(`${command} needs a slot name`);
  return validateSlotName(name);
}

function unconfirmed(message: string, hint: string): WalscopeError {
  return new WalscopeError({ code: 'INVALID_ARGUMENT', message: `${message}; nothing was changed`, hint });
}

export async function createSlot(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, {
    booleans: ['physical', 'temporary', 'two-phase', 'failover'],
    values: ['dsn', 'plugin', 'timeout'],
  });
  const timeoutSec = seconds(args, 'timeout');
  const name = slotName(args, 'create-slot');
  const kind = flag(args, 'physical') ? 'physical' : 'logical';
  const plugin = value(args, 'plugin');
  return withMonitor(args, io, async (monitor) => {
    if (flag(args, 'temporary'))
      io.stderr.write('walscope: note: a temporary slot is dropped when this command exits\n');
    // A logical slot waits for the transactions open right now; Ctrl-C or --timeout cancels it on
    // the server, which then leaves no slot behind.
    const abort = new AbortController();
    const cancel = (): void => abort.abort();
    io.onSignal(cancel);
    const timer = timeoutSec !== undefined ? setTimeout(cancel, timeoutSec * 1000) : undefined;
    try {
      const res = await monitor.createSlot(
        {
          name,
          kind,
          ...(plugin !== undefined ? { plugin } : {}),
          temporary: flag(args, 'temporary'),
          twoPhase: flag(args, 'two-phase'),
          failover: flag(args, 'failover'),
        },
        abort.signal,
      );
      if (!flag(args, 'temporary') && res.warning) io.stderr.write(`walscope: ${res.warning}\n`);
      json(io, {
        slotName: res.slotName,
        slotType: kind,
        consistentPoint: res.consistentPoint,
        outputPlugin: kind === 'logical' ? (plugin ?? 'pgoutput') : null,
        temporary: flag(args, 'temporary'),
      });
    } finally {
      if (timer) clearTimeout(timer);
      io.offSignal(cancel);
    }
    return 0;
  });
}

export async function dropSlot(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { booleans: ['yes', 'terminate-consumer', 'wait'], values: ['dsn', 'timeout'] });
  const name = slotName(args, 'drop-slot');
  const waitSec = seconds(args, 'timeout') ?? 60;
  if (flag(args, 'wait') && flag(args, 'terminate-consumer')) {
    throw usage('choose one: --wait (for the consumer to let go) or --terminate-consumer');
  }
  return withMonitor(args, io, async (monitor) => {
    const { slot, usedByStandby, token } = await monitor.describeDrop(name);
    const facts = {
      slotType: slot.slotType,
      plugin: slot.plugin,
      database: slot.database,
      active: slot.active,
      activePid: slot.activePid,
      consumer: slot.consumer,
      retainedBytes: slot.retainedBytes,
      usedByStandby,
    };
    if (!flag(args, 'yes')) {
      json(io, { wouldDrop: name, ...facts });
      const consumer = slot.active ? `is active for PID ${slot.activePid ?? '?'}` : 'has no consumer';
      throw unconfirmed(
        `dropping slot "${name}" needs confirmation: it retains ${slot.retainedBytes === null ? 'no' : humanBytes(slot.retainedBytes)} WAL and ${consumer}`,
        `Run again with --yes to drop it${slot.active ? ' (with --terminate-consumer or --wait, since it is active)' : ''}.`,
      );
    }
    const res = await monitor.drop(name, token, {
      terminateConsumer: flag(args, 'terminate-consumer'),
      ...(flag(args, 'wait') ? { waitForConsumerMs: waitSec * 1000 } : {}),
    });
    json(io, { dropped: name, ...facts, freedBytes: res.freedBytes, terminatedPid: res.terminatedPid });
    return 0;
  });
}

export async function advanceSlot(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, { booleans: ['yes'], values: ['dsn', 'to'] });
  const name = slotName(args, 'advance');
  return withMonitor(args, io, async (monitor) => {
    const p = await monitor.describeAdvance(name, value(args, 'to'));
    const facts = {
      from: p.from,
      requested: p.requested,
      target: p.target,
      ceiling: p.ceiling,
      clamped: p.clamped,
      skippedBytes: p.skippedBytes,
    };
    if (!flag(args, 'yes')) {
      json(io, { wouldAdvance: name, ...facts });
      throw unconfirmed(
        `advancing slot "${name}" needs confirmation: it would skip ${humanBytes(p.skippedBytes)} of WAL (${p.from} to ${p.target}${p.clamped ? `, clamped to the server's flushed WAL` : ''}) for its consumer`,
        'Run again with --yes to advance it.',
      );
    }
    const res = await monitor.advance(name, p.token);
    json(io, { advanced: name, from: p.from, endLsn: res.endLsn, skippedBytes: res.skippedBytes });
    return 0;
  });
}
