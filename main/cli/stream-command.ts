import { formatLsn } from '../../shared/lsn';
import { formatPgMicros } from '../../shared/pgtime';
import { DEFAULT_BACKOFF, type BackoffPolicy } from '../stream/backoff';
import { ChangeStream, type ChangeStreamHandlers, type ChangeStreamOptions } from '../stream/change-stream';
import { StreamStatsMeter } from '../stream/stream-stats';
import type { StreamSource } from '../stream/slot-source';
import { flag, lsnFlag, parseArgs, type ParsedArgs, walsenderReserveFlag, usage, value, values } from './args';
import { replicationConfig, settingsFrom } from './connect';
import { describeWait } from '../stream/wait-report';
import { EXIT_OUTPUT_CLOSED, isOutputClosed, NdjsonWriter } from './ndjson-writer';
import { WalscopeError } from '../../shared/errors';

const STREAM_FLAGS = {
  booleans: ['temporary', 'direct', 'consume', 'heartbeats', 'stats'],
  values: ['dsn', 'slot', 'plugin', 'publication', 'start', 'endpos', 'option', 'walsender-reserve', 'retries'],
} as const;

/** --retries N: reconnection attempts after a running stream is lost (0: none). */
function retriesFlag(text: string | undefined): BackoffPolicy {
  if (text === undefined) return DEFAULT_BACKOFF;
  const n = Number(text);
  if (!/^\d+$/.test(text) || !Number.isSafeInteger(n)) {
    throw usage(`--retries takes a whole number of reconnection attempts (0: stop at the first loss)`);
  }
  return { ...DEFAULT_BACKOFF, maxAttempts: n };
}

function pluginOptionFlags(list: string[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const item of list) {
    const eq = item.indexOf('=');
    if (eq <= 0) throw usage(`--option ${JSON.stringify(item)}: expected key=value`);
    out[item.slice(0, eq)] = item.slice(eq + 1);
  }
  return out;
}

/** --slot/--temporary, --direct, --plugin and --publication: where the changes come from. */
function sourceFrom(args: ParsedArgs): { source: StreamSource; publications: string[] } {
  const slot = value(args, 'slot');
  const temporary = flag(args, 'temporary');
  if (!slot === !temporary) throw usage('stream needs exactly one of --slot NAME or --temporary');
  // Each --publication is one name, taken as is: a publication may be called `a,b`.
  const publications = values(args, 'publication');
  if (publications.some((p) => p === '')) throw usage('--publication needs a publication name');
  const plugin = value(args, 'plugin') ?? (publications.length ? 'pgoutput' : 'test_decoding');
  if (slot && value(args, 'plugin')) throw usage('--plugin applies to --temporary; an existing slot has its own');
  const source: StreamSource = temporary
    ? { kind: 'temporary', plugin }
    : flag(args, 'direct')
      ? { kind: 'direct', slot: slot! }
      : { kind: 'copy', slot: slot! };
  return { source, publications };
}

/** Every flag checked before anything connects: a usage error never leaves a slot behind. */
function streamOptionsFrom(args: ParsedArgs, env: NodeJS.ProcessEnv): ChangeStreamOptions {
  const { source, publications } = sourceFrom(args);
  const startLsn = lsnFlag(value(args, 'start'), 'start');
  const endLsn = lsnFlag(value(args, 'endpos'), 'endpos');
  const walsenderReserve = walsenderReserveFlag(args, env);
  const backoff = retriesFlag(value(args, 'retries'));
  const settings = settingsFrom(value(args, 'dsn'), env);
  return {
    connection: replicationConfig(settings),
    source,
    mode: flag(args, 'consume') ? 'consume' : 'inspect',
    publications,
    pluginOptions: pluginOptionFlags(values(args, 'option')),
    walsenderReserve,
    backoff,
    lazyRowImages: true,
    ...(startLsn !== undefined ? { startLsn } : {}),
    ...(endLsn !== undefined ? { endLsn } : {}),
  };
}

/** Messages, gaps and (with --heartbeats) keepalives as NDJSON; waits, notices, reconnects on stderr. */
function cliHandlers(
  out: NdjsonWriter,
  io: CliIo,
  heartbeats: boolean,
  stream: () => ChangeStream,
): ChangeStreamHandlers {
  return {
    message: (m) => out.writeMessage(m, stream().plugin === 'pgoutput'),
    keepalive: heartbeats
      ? (k) =>
          out.write({
            type: 'keepalive',
            walEnd: formatLsn(k.walEnd),
            sendTime: formatPgMicros(k.sendTime),
            replyRequested: k.replyRequested,
          })
      : undefined,
    waiting: (w) => io.stderr.write(`walscope: waiting: ${describeWait(w)}; Ctrl-C cancels\n`),
    notice: (text) => io.stderr.write(`walscope: note: ${text}\n`),
    gap: (g) => {
      out.write({ type: 'gap', from: formatLsn(g.from), to: formatLsn(g.to), reason: g.reason });
      io.stderr.write(`walscope: gap from ${formatLsn(g.from)} to ${formatLsn(g.to)}: ${g.reason}\n`);
    },
    state: (e) => {
      if (e.state === 'reconnecting' && e.error) {
        io.stderr.write(
          `walscope: connection lost (${e.error.message}); reconnecting in ${e.delayMs ?? 0} ms (attempt ${e.attempt}/${e.maxAttempts})\n`,
        );
      } else if (e.state === 'streaming' && stream().progress.reconnects > 0) {
        io.stderr.write(`walscope: streaming again from slot ${e.slot}\n`);
      }
    },
  };
}

/**
 * `walscope stream`: decoded messages as NDJSON on stdout, nothing else there; state changes
 * and warnings on stderr. A gap (positions that could not be resumed) is written as a
 * `{"type":"gap"}` line too, because a consumer of the stream must not mistake it for continuity.
 */
export async function streamCommand(argv: readonly string[], io: CliIo): Promise<number> {
  const args = parseArgs(argv, STREAM_FLAGS);
  const options = streamOptionsFrom(args, io.env);
  const out = new NdjsonWriter(io.stdout);
  const stream: ChangeStream = new ChangeStream(
    options,
    cliHandlers(out, io, flag(args, 'heartbeats'), () => stream),
  );
  out.onDrain = () => stream.resume();
  // The reader went away (`| head`): stop like Ctrl-C, so the temporary slot or copy is dropped
  // with the connection, then end quietly (no EPIPE stack trace) with the status a pipe expects.
  out.onClosed = () => void stream.stop();
  return runUntilStopped(stream, out, io, flag(args, 'stats'));
}

/** Runs until the stream ends, Ctrl-C or the reader closing stdout; the exit status from the output. */
async function runUntilStopped(stream: ChangeStream, out: NdjsonWriter, io: CliIo, stats: boolean): Promise<number> {
  const onSignal = (): void => void stream.stop();
  io.onSignal(onSignal);
  // --stats: our own stream's figures on stderr once a second (stdout stays pure NDJSON).
  const meter = new StreamStatsMeter();
  const statsTimer = stats
    ? setInterval(() => io.stderr.write(`${JSON.stringify({ stats: meter.sample(stream.progress, 0) })}\n`), 1000)
    : undefined;
  try {
    await stream.run();
  } catch (err) {
    if (!out.closedError) throw err; // with nobody reading, stopping is all that was asked
  } finally {
    if (statsTimer) clearInterval(statsTimer);
    io.offSignal(onSignal);
    await out.close();
  }
  return outputStatus(out);
}

/** 0, or the pipe status when the reader closed stdout; any other write failure is an error. */
export function outputStatus(out: NdjsonWriter): number {
  const err = out.closedError;
  if (!err) return 0;
  if (isOutputClosed(err)) return EXIT_OUTPUT_CLOSED;
  throw new WalscopeError({
    code: 'INTERNAL',
    message: `could not write to standard output: ${err.message}`,
    hint: 'Check where the output goes (disk space, permissions of the file it is redirected to).',
  });
}

export interface CliIo {
  stdout: NodeJS.WritableStream;
  stderr: NodeJS.WritableStream;
  env: NodeJS.ProcessEnv;
  onSignal(handler: () => void): void;
  offSignal(handler: () => void): void;
}
