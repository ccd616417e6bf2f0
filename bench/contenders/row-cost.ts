// The row cost split in parts, in one process: receive the whole stream once (the CopyData
// payloads are kept), then time decoding alone and NDJSON serialization alone over them, for the
// current path (lazy row images written as bytes) and the previous one (decoded values,
// messageJson). Prints CPU µs per row change, median of `reps` passes, and the spread.
import type { DecodedMessage } from '../../shared/messages';
import { messageJson } from '../../shared/messages-json';
import { parseLsn } from '../../shared/lsn';
import { PgoutputDecoder } from '../../main/decoders/pgoutput';
import { JsonBytes } from '../../main/output/json-bytes';
import { writeMessageJson } from '../../main/output/message-bytes';
import { ChangeStream } from '../../main/stream/change-stream';
import { resolveConnectionSettings, toPgClientConfig } from '../../main/connection';

const [dsn, slot, end, publication, repsText] = process.argv.slice(2) as [string, string, string, string, string];
const frames: Buffer[] = [];
const lsns: bigint[] = [];
let rows = 0;
const stream = new ChangeStream(
  {
    // The DSN read as every connection is (libpq conventions), not parsed again here.
    connection: toPgClientConfig(resolveConnectionSettings({ dsn }, {})),
    source: { kind: 'direct', slot },
    publications: [publication],
    endLsn: parseLsn(end),
    pluginOptions: { proto_version: '1', streaming: 'off' },
  },
  {
    message: (m, raw) => {
      frames.push(Buffer.from(raw));
      lsns.push(m.lsn);
      if (m.type === 'insert' || m.type === 'update' || m.type === 'delete') rows++;
    },
  },
);
await stream.run();

const decodeAll = (lazy: boolean): DecodedMessage[] => {
  const d = new PgoutputDecoder(1, lazy);
  const out: DecodedMessage[] = new Array<DecodedMessage>(frames.length);
  for (let i = 0; i < frames.length; i++) out[i] = d.decode(frames[i]!, lsns[i]!);
  return out;
};
// CPU time of this thread (user + system), not wall time: on a shared machine the wall clock
// also counts the time other processes held the core.
const time = (f: () => void): number => {
  const t0 = process.cpuUsage();
  f();
  const d = process.cpuUsage(t0);
  return (d.user + d.system) / rows;
};
const reps = Number(repsText ?? 5);
const lazyMsgs = decodeAll(true);
const eagerMsgs = decodeAll(false);
const samples: Record<string, number[]> = { decode: [], serialize: [], decodePrevious: [], serializePrevious: [] };
let sink = 0;
for (let r = 0; r < reps; r++) {
  samples['decode']!.push(time(() => void decodeAll(true)));
  samples['decodePrevious']!.push(time(() => void decodeAll(false)));
  samples['serialize']!.push(
    time(() => {
      const out = new JsonBytes(80 * 1024);
      for (const m of lazyMsgs) {
        writeMessageJson(out, m, true);
        out.byte(0x0a);
        if (out.pos >= 64 * 1024) {
          sink += out.pos;
          out.reset();
        }
      }
    }),
  );
  samples['serializePrevious']!.push(
    time(() => {
      // What the CLI did before: a string per line, joined per ~64 KiB, encoded as UTF-8 on write.
      let parts: string[] = [];
      let size = 0;
      for (const m of eagerMsgs) {
        const line = messageJson(m) + '\n';
        parts.push(line);
        size += line.length;
        if (size >= 64 * 1024) {
          sink += Buffer.byteLength(parts.join(''));
          parts = [];
          size = 0;
        }
      }
    }),
  );
}
const med = (xs: number[]): number => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
const summary = Object.fromEntries(
  Object.entries(samples).map(([k, xs]) => [k, { median: med(xs), min: Math.min(...xs), max: Math.max(...xs) }]),
);
process.stdout.write(JSON.stringify({ rows, frames: frames.length, reps, sink: sink > 0, ...summary }) + '\n');
