// Contender: the WALscope engine API without output (decode everything, count row changes).
import { parseLsn } from '../../shared/lsn';
import { ChangeStream } from '../../main/stream/change-stream';
import { resolveConnectionSettings, toPgClientConfig } from '../../main/connection';

const [dsn, slot, end, publication, proto] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string | undefined,
];
let rows = 0;
const stream = new ChangeStream(
  {
    // The DSN read as every connection is (libpq conventions), not parsed again here.
    connection: toPgClientConfig(resolveConnectionSettings({ dsn }, {})),
    source: { kind: 'direct', slot },
    publications: [publication],
    endLsn: parseLsn(end),
    ...(proto ? { pluginOptions: { proto_version: proto } } : {}),
  },
  {
    message: (m) => {
      if (m.type === 'insert' || m.type === 'update' || m.type === 'delete') rows++;
    },
  },
);
await stream.run();
process.stdout.write(JSON.stringify({ rows }) + '\n');
