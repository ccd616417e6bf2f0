export const HELP = `walscope — a PostgreSQL replication inspector

Usage: walscope <command> [options]

Connection: --dsn "postgres://user@host:5432/db?sslmode=require" (or key=value form),
otherwise the libpq sources: PGSERVICE / pg_service.conf, PG* variables, ~/.pgpass.

Commands
  identify [--physical]            IDENTIFY_SYSTEM and server version (JSON)
  slots                            replication slots with state, retained and pending WAL (JSON)
  lag [--interval 1s] [--count N]  slot and standby lag and alerts, one NDJSON line per poll
                                   (with subscriptions on a subscriber, the WAL receiver on a standby)
  publications [--sample 1s]       publications, their tables and replica identity problems, and
                                   decoding statistics per logical slot (JSON; rates with --sample)
  subscriptions [--sample 1s]      subscriptions: options, workers, table sync states, error and
                                   conflict counters, COPY progress, WAL receiver (JSON)
  create-slot NAME [--physical] [--plugin P] [--temporary] [--two-phase] [--failover] [--timeout S]
                                   (--plugin, --two-phase and --failover are for logical slots)
  drop-slot NAME --yes [--terminate-consumer | --wait [--timeout S]]
                                   without --yes: prints what would be lost, drops nothing, exit 2;
                                   an active slot needs --terminate-consumer, or --wait (default 60 s)
  advance NAME [--to LSN] --yes    moves the slot to LSN (default: the server's flushed WAL),
                                   skipping those changes for its consumer; without --yes: prints
                                   the bytes it would skip, changes nothing, exit 2; never an
                                   active slot, never backwards, never past the flushed WAL
  stream (--slot NAME [--direct] | --temporary [--plugin P])
         [--publication PUB]... [--start LSN] [--endpos LSN] [--consume]
         [--option key=value]... [--heartbeats] [--stats] [--walsender-reserve N|auto] [--retries N]
                                   decoded changes as NDJSON on stdout
  wal [--start LSN] [--endpos LSN] [--stats [--interval 10s]] [--no-relations] [--walsender-reserve N|auto]
                                   live WAL records decoded from the physical stream, one NDJSON
                                   object per record (lsn, endLsn, prevLsn, xid, rmgr, recordType,
                                   recordLength, mainDataLength, fpiLength, blocks, relation,
                                   description); --stats prints per-interval aggregates instead;
                                   --endpos stops after the last record that begins before it
  serve [--port N] [--host 127.0.0.1] [--demo] [--insecure-listen]
                                   the UI in a browser (prints a URL with an access token);
                                   a non-loopback --host needs --insecure-listen (no TLS)
  exporter (--service NAME | --dsn NAME=DSN)... [--listen 127.0.0.1:9854] [--interval 15s]
         [--timeout 5s or one interval] [--concurrency 8] [--allow-remote --bearer-token-file FILE]
                                   Prometheus metrics of many servers on /metrics (text format, or
                                   OpenMetrics when asked); NAME is the \`server\` label; a
                                   non-loopback --listen needs --allow-remote and a bearer token

Streaming confirms nothing unless --consume is given. --slot reads a temporary copy of the slot:
the original and its consumer are untouched (a two-phase slot's copy decodes prepared
transactions too, with pgoutput on PostgreSQL 15+). --direct attaches to the slot itself: its
confirmed_flush_lsn stays, but while decoding the server moves its restart_lsn forward (never
past confirmed_flush_lsn), as the SQL peek functions do; options that would change the slot
(two_phase) are refused. --temporary creates a temporary slot at the current WAL position
(dropped on exit). Ctrl-C also cancels a slot creation still waiting for open transactions.
\`wal\` uses no slot (nothing is retained for it) and reports flush = 0; it needs the REPLICATION
privilege; block "fpi" is that block's full-page-image bytes (0 when none).
--plugin defaults to pgoutput when a --publication is given, otherwise test_decoding.
--endpos LSN stops at the first point at or past LSN where the output is whole: after a Commit
(or Prepare, Commit/Rollback Prepared, Stream Commit/Abort/Prepare), after a Stream Stop, or at
a keepalive outside any transaction; never between Begin and Commit or Stream Start and Stop.

Exit status: 0 done, 1 error, 2 usage. When the reader of stdout goes away (walscope stream … |
head), stream and lag stop, drop their temporary slot, and exit 141 (128 + SIGPIPE) without a
message, as pg_recvlogical and other programs in a pipe do.
A stream does not start when it would leave fewer than --walsender-reserve of the server's
max_wal_senders free for standbys (default auto: 20%, at least 2; or WALSCOPE_WALSENDER_RESERVE).
Each --publication is one publication name, used as it is (a name may contain a comma); repeat
the flag for several.
A stream that cannot connect at all fails at once; a running stream that loses its connection
reconnects up to --retries times (default 20, about three minutes), then fails.
Every connection waits at most connect_timeout seconds (DSN or PGCONNECT_TIMEOUT; default 10).
`;
