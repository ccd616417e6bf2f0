import type { LogicalSnapshot } from '../../shared/contract/logical';
import { toPgClientConfig } from '../connection';
import { ServerMonitor } from '../monitor/server-monitor';
import { parseDurationSetting } from '../connection/duration';
import { parseArgs, usage, value } from './args';
import { settingsFrom } from './connect';
import type { CliIo } from './stream-command';

function json(io: CliIo, v: unknown): void {
  io.stdout.write(JSON.stringify(v, null, 2) + '\n');
}

/**
 * One poll, or two `--sample` apart so counters (decoding statistics, subscription errors) come
 * with per-second rates; with one poll the rates are null.
 */
async function readOnce(
  argv: readonly string[],
  io: CliIo,
): Promise<{ logical: LogicalSnapshot; systemId: string; serverVersionNum: number }> {
  const args = parseArgs(argv, { booleans: [], values: ['dsn', 'sample'] });
  let sampleMs = 0;
  if (value(args, 'sample') !== undefined) {
    try {
      sampleMs = parseDurationSetting(value(args, 'sample')!);
    } catch {
      throw usage('--sample takes a duration such as 1s or 500ms');
    }
    if (!(sampleMs >= 100 && sampleMs <= 60_000)) throw usage('--sample must be between 100ms and 1min');
  }
  const monitor = await ServerMonitor.open(toPgClientConfig(settingsFrom(value(args, 'dsn'), io.env)));
  try {
    let snap = await monitor.poll();
    if (sampleMs > 0) {
      await new Promise((r) => setTimeout(r, sampleMs));
      snap = await monitor.poll();
    }
    return {
      logical: snap.logical,
      systemId: snap.overview.systemId,
      serverVersionNum: snap.overview.serverVersionNum,
    };
  } finally {
    await monitor.close();
  }
}

/** `walscope publications`: publications with their tables and problems, and decoding statistics per logical slot. */
export async function publicationsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { logical, systemId, serverVersionNum } = await readOnce(argv, io);
  json(io, {
    systemId,
    serverVersionNum,
    logicalDecodingWorkMem: logical.logicalDecodingWorkMem,
    publications: logical.publications,
    decodingStats: logical.decodingStats,
    notes: logical.notes,
  });
  return 0;
}

/** `walscope subscriptions`: subscriptions with workers, table states and error counters; COPY progress. */
export async function subscriptionsCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const { logical, systemId, serverVersionNum } = await readOnce(argv, io);
  json(io, {
    systemId,
    serverVersionNum,
    subscriptions: logical.subscriptions,
    copyProgress: logical.copyProgress,
    walReceiver: logical.walReceiver,
    notes: logical.notes,
  });
  return 0;
}

/** What `walscope lag` adds on a subscriber (its subscriptions) or a standby (its WAL receiver). */
export function lagExtras(logical: LogicalSnapshot): Record<string, unknown> {
  return {
    ...(logical.subscriptions.length
      ? {
          subscriptions: logical.subscriptions.map((s) => {
            const apply = s.workers.find((w) => w.type === 'apply');
            return {
              name: s.name,
              enabled: s.enabled,
              slotName: s.slotName,
              receivedLsn: apply?.receivedLsn ?? null,
              latestEndLsn: apply?.latestEndLsn ?? null,
              lastMsgReceiptTime: apply?.lastMsgReceiptTime ?? null,
              appliedLsn: s.appliedLsn,
              tablesNotReady: s.tables.filter((t) => t.state !== 'ready').length,
              applyErrors: s.stats?.applyErrors ?? null,
              applyErrorsPerSec: s.stats?.applyErrorsPerSec ?? null,
              syncErrors: s.stats?.syncErrors ?? null,
              conflicts: s.stats?.conflicts ?? null,
            };
          }),
        }
      : {}),
    ...(logical.walReceiver ? { walReceiver: logical.walReceiver } : {}),
  };
}
