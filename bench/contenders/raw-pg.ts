// Contender: raw node-postgres CopyData counting (receive only, no decoding), proto_version 1.
import pg from 'pg';

const [dsn, slot, end, publication] = process.argv.slice(2) as [string, string, string, string];
const [hi, lo] = end.split('/');
const endLsn = (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
const client = new pg.Client({ connectionString: dsn, replication: 'database' } as pg.ClientConfig);
await client.connect();
const conn = (
  client as unknown as {
    connection: {
      on(e: string, f: (m: { chunk: Buffer }) => void): void;
      sendCopyFromChunk(b: Buffer): void;
      endCopyFrom(): void;
    };
  }
).connection;
let messages = 0;
let received = 0n;
let done = false;
const reply = (): void => {
  const b = Buffer.alloc(34);
  b[0] = 0x72;
  b.writeBigUInt64BE(received, 1);
  conn.sendCopyFromChunk(b);
};
const timer = setInterval(reply, 5000);
conn.on('copyData', ({ chunk }) => {
  if (done) return;
  if (chunk[0] === 0x77) {
    messages++;
    const start = chunk.readBigUInt64BE(1);
    if (start > received) received = start;
    if (start >= endLsn) done = true;
  } else if (chunk[0] === 0x6b) {
    const walEnd = chunk.readBigUInt64BE(1);
    if (walEnd >= endLsn) done = true;
    if (chunk[17] === 1) reply();
  }
  if (done) conn.endCopyFrom();
});
await client
  .query(`START_REPLICATION SLOT "${slot}" LOGICAL 0/0 ("proto_version" '1', "publication_names" '"${publication}"')`)
  .catch(() => undefined);
clearInterval(timer);
await client.end();
process.stdout.write(JSON.stringify({ messages }) + '\n');
