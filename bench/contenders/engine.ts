// Contender: the WALscope engine API without output (decode everything, count row changes).
import { parseLsn } from '../../shared/lsn';
import { ChangeStream } from '../../main/stream/change-stream';

const [dsn, slot, end, publication, proto] = process.argv.slice(2) as [
  string,
  string,
  string,
  string,
  string | undefined,
];
const url = new URL(dsn);
let rows = 0;
const stream = new ChangeStream(
  {
    connection: {
      host: url.hostname,
      port: Number(url.port),
      user: decodeURIComponent(url.username),
      password: decodeURIComponent(url.password),
      database: url.pathname.slice(1),
    },
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
