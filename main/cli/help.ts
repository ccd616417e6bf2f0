export const HELP = `walscope — a PostgreSQL replication inspector

Usage: walscope <command> [options]

Connection: --dsn "postgres://user@host:5432/db?sslmode=require" (or key=value form),
otherwise the libpq sources: PGSERVICE / pg_service.conf, PG* variables, ~/.pgpass.

Commands
  identify [--physical]            IDENTIFY_SYSTEM and server version (JSON)
  slots                            replication slots with state, retained and pending WAL (JSON)
  lag [--interval 1s] [--count N]  slot and standby lag and alerts, one NDJSON line per poll
  create-slot NAME [--physical] [--plugin P] [--temporary] [--two-phase] [--failover] [--timeout S]
  drop-slot NAME [--wait]          refuses an active slot unless --wait
  stream (--slot NAME [--direct] | --temporary [--plugin P])
         [--publication PUB]... [--start LSN] [--endpos LSN] [--consume]
         [--option key=value]... [--heartbeats] [--stats]
                                   decoded changes as NDJSON on stdout
  wal [--start LSN] [--endpos LSN] [--stats [--interval 10s]] [--no-relations]
                                   live WAL records decoded from the physical stream, one NDJSON
                                   object per record (lsn, endLsn, prevLsn, xid, rmgr, recordType,
                                   recordLength, mainDataLength, fpiLength, blocks, relation,
                                   description); --stats prints per-interval aggregates instead;
                                   --endpos stops after the last record that begins before it
  serve [--port N] [--host 127.0.0.1] [--demo]
                                   the UI in a browser (prints a URL with an access token)

Streaming never moves a slot unless --consume is given: --slot reads a temporary copy of the
slot (the original and its consumer are untouched); --direct attaches to the slot itself;
--temporary creates a temporary slot at the current WAL position (dropped on exit).
\`wal\` uses no slot (nothing is retained for it) and reports flush = 0; it needs the REPLICATION
privilege; block "fpi" is that block's full-page-image bytes (0 when none).
--plugin defaults to pgoutput when a --publication is given, otherwise test_decoding.
`;
