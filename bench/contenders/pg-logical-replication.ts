// Contender: the pg-logical-replication package (decodes pgoutput), acknowledging per commit.
import { LogicalReplicationService, PgoutputPlugin } from 'pg-logical-replication';

const [dsn, slot, end, publication] = process.argv.slice(2) as [string, string, string, string];
const [hi, lo] = end.split('/');
const endLsn = (BigInt(`0x${hi}`) << 32n) | BigInt(`0x${lo}`);
const toBig = (lsn: string): bigint => {
  const [h, l] = lsn.split('/');
  return (BigInt(`0x${h}`) << 32n) | BigInt(`0x${l}`);
};
const service = new LogicalReplicationService(
  { connectionString: dsn },
  { acknowledge: { auto: false, timeoutSeconds: 0 } },
);
let rows = 0;
const finished = new Promise<void>((resolve) => {
  service.on('data', (lsn: string, log: { tag: string }) => {
    if (log.tag === 'insert' || log.tag === 'update' || log.tag === 'delete') rows++;
    if (log.tag === 'commit') void service.acknowledge(lsn);
    if (toBig(lsn) >= endLsn) resolve();
  });
  service.on('heartbeat', (lsn: string) => {
    if (toBig(lsn) >= endLsn) resolve();
  });
});
void service
  .subscribe(new PgoutputPlugin({ protoVersion: 1, publicationNames: [publication] }), slot)
  .catch(() => undefined);
await finished;
await service.stop();
process.stdout.write(JSON.stringify({ rows }) + '\n');
