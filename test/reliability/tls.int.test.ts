import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WalscopeError } from '../../shared/errors';
import { connectWithSslFallback, resolveConnectionSettings, toPgClientConfig } from '../../main/connection';
import { ReplicationConnection } from '../../main/stream/replication-connection';
import { runCli } from '../support/cli';
import { eventually } from '../support/eventually';
import { startPostgres, type PgServer } from '../support/postgres';

const openssl =
  (dir: string) =>
  (args: string[]): void =>
    void execFileSync('openssl', args, { cwd: dir, stdio: 'ignore' });

/** A key and a certificate for `subject` in `dir`, signed by the CA there (`ca.crt`, `ca.key`). */
function issue(dir: string, name: string, subject: string, extensions?: string): void {
  const o = openssl(dir);
  o(['req', '-newkey', 'rsa:2048', '-nodes', '-subj', subject, '-keyout', `${name}.key`, '-out', `${name}.csr`]);
  if (extensions) fs.writeFileSync(path.join(dir, `${name}.ext`), extensions);
  const ext = extensions ? ['-extfile', `${name}.ext`] : [];
  o(
    [
      'x509',
      '-req',
      '-in',
      `${name}.csr`,
      '-CA',
      'ca.crt',
      '-CAkey',
      'ca.key',
      '-CAcreateserial',
      '-days',
      '2',
      ...ext,
    ].concat(['-out', `${name}.crt`]),
  );
  fs.chmodSync(path.join(dir, `${name}.key`), 0o600);
}

/** A throwaway CA and a server certificate valid for 127.0.0.1 only (not for "localhost"). */
function makeCerts(dir: string): { ca: string; cert: string; key: string } {
  openssl(dir)(
    ['req', '-x509', '-newkey', 'rsa:2048', '-nodes', '-days', '2', '-subj', '/CN=walscope test CA'].concat([
      '-keyout',
      'ca.key',
      '-out',
      'ca.crt',
    ]),
  );
  issue(dir, 'server', '/CN=127.0.0.1', 'subjectAltName=IP:127.0.0.1\n');
  return { ca: path.join(dir, 'ca.crt'), cert: path.join(dir, 'server.crt'), key: path.join(dir, 'server.key') };
}

/** A client certificate for `user`, signed by the same CA, its key readable only by its owner. */
function makeClientCert(dir: string, user: string): { cert: string; key: string } {
  issue(dir, 'client', `/CN=${user}`);
  return { cert: path.join(dir, 'client.crt'), key: path.join(dir, 'client.key') };
}

describe('connection security: sslmode against a server with a private CA', () => {
  let server: PgServer;
  let dir: string;
  let ca: string;

  beforeAll(async () => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-tls-'));
    const certs = makeCerts(dir);
    ca = certs.ca;
    server = await startPostgres({ name: 'tls' });
    // The server reads its key as the postgres user, with strict permissions.
    for (const f of ['server.crt', 'server.key', 'ca.crt'])
      fs.copyFileSync(path.join(dir, f), path.join(server.dataDir, f));
    fs.chmodSync(path.join(server.dataDir, 'server.key'), 0o600);
    const owner = fs.statSync(server.dataDir);
    for (const f of ['server.crt', 'server.key', 'ca.crt'])
      fs.chownSync(path.join(server.dataDir, f), owner.uid, owner.gid);
    // A role that may only log in with a client certificate (no password), for SQL and replication.
    await server.query(`CREATE ROLE certuser LOGIN REPLICATION`);
    const hba = path.join(server.dataDir, 'pg_hba.conf');
    fs.writeFileSync(
      hba,
      `hostssl all certuser 127.0.0.1/32 cert\nhostssl replication certuser 127.0.0.1/32 cert\n` +
        `host all certuser 127.0.0.1/32 reject\nhost replication certuser 127.0.0.1/32 reject\n` +
        fs.readFileSync(hba, 'utf8'),
    );
    await server.query(`ALTER SYSTEM SET ssl_ca_file = 'ca.crt'`);
    await server.query(`ALTER SYSTEM SET ssl = on`);
    await server.query(`SELECT pg_reload_conf()`);
    // The postmaster applies the reload asynchronously: wait until it accepts TLS.
    await eventually(() => connect(base('127.0.0.1', 'require')).catch(() => false));
  });

  afterAll(async () => {
    await server?.destroy();
    if (dir) fs.rmSync(dir, { recursive: true, force: true });
  });

  const connect = async (dsn: string): Promise<boolean> => {
    const s = resolveConnectionSettings({ dsn }, { PGPASSFILE: '/nonexistent' }, { home: '/nonexistent' });
    const client = await connectWithSslFallback((c) => new pg.Client(c), toPgClientConfig(s));
    try {
      const r = await client.query<{ ssl: boolean }>(`SELECT ssl FROM pg_stat_ssl WHERE pid = pg_backend_pid()`);
      return r.rows[0]!.ssl;
    } finally {
      await client.end();
    }
  };
  const base = (host: string, mode: string, extra = ''): string =>
    `host=${host} port=${server.port} user=${server.user} password=${server.password} dbname=postgres sslmode=${mode}${extra}`;

  it('verify-full passes with the CA and the right host, fails on a host mismatch', async () => {
    expect(await connect(base('127.0.0.1', 'verify-full', ` sslrootcert=${ca}`))).toBe(true);
    // SCRAM over TLS with channel binding (SCRAM-SHA-256-PLUS), as libpq does by default.
    expect(await connect(base('127.0.0.1', 'verify-full', ` sslrootcert=${ca} channel_binding=require`))).toBe(true);
    await expect(connect(base('localhost', 'verify-full', ` sslrootcert=${ca}`))).rejects.toThrow(
      /Hostname\/IP does not match|altnames/i,
    );
  });

  it('verify-ca checks the chain but not the host; without the CA it fails', async () => {
    expect(await connect(base('localhost', 'verify-ca', ` sslrootcert=${ca}`))).toBe(true);
    await expect(connect(base('127.0.0.1', 'verify-ca'))).rejects.toThrow(
      /self[- ]signed|unable to verify|certificate/i,
    );
  });

  it('require encrypts without verifying; prefer uses TLS when offered; disable does not', async () => {
    expect(await connect(base('127.0.0.1', 'require'))).toBe(true);
    expect(await connect(base('127.0.0.1', 'prefer'))).toBe(true);
    expect(await connect(base('127.0.0.1', 'disable'))).toBe(false);
  });

  it('client certificates: cert authentication with sslcert/sslkey, for SQL and replication; refused without', async () => {
    const client = makeClientCert(dir, 'certuser');
    const certDsn = (extra: string): string =>
      `host=127.0.0.1 port=${server.port} user=certuser dbname=postgres sslmode=verify-full sslrootcert=${ca}${extra}`;
    expect(await connect(certDsn(` sslcert=${client.cert} sslkey=${client.key}`))).toBe(true);
    const s = resolveConnectionSettings(
      { dsn: certDsn(` sslcert=${client.cert} sslkey=${client.key}`) },
      {},
      { home: '/nonexistent' },
    );
    const conn = await ReplicationConnection.open(toPgClientConfig(s, { replication: 'database' }), 'database');
    expect((await conn.run(`SELECT client_dn FROM pg_stat_ssl WHERE pid = pg_backend_pid()`)).rows[0]![0]).toBe(
      '/CN=certuser',
    );
    await conn.close();
    // Without the certificate the server has no way to let this role in.
    await expect(connect(certDsn(''))).rejects.toThrow(/certificate|authentication|pg_hba/i);
    await expect(connect(certDsn(` sslcert=${client.cert} sslkey=${path.join(dir, 'missing.key')}`))).rejects.toThrow(
      /client key|missing\.key/,
    );
  });

  it('replication connections use the same TLS settings, and errors carry no secrets', async () => {
    const s = resolveConnectionSettings(
      { dsn: base('127.0.0.1', 'verify-full', ` sslrootcert=${ca}`) },
      {},
      { home: '/nonexistent' },
    );
    const conn = await ReplicationConnection.open(toPgClientConfig(s, { replication: 'database' }), 'database');
    expect((await conn.run(`SELECT ssl::text FROM pg_stat_ssl WHERE pid = pg_backend_pid()`)).rows[0]![0]).toBe('true');
    await conn.close();
    const bad = resolveConnectionSettings(
      { dsn: base('localhost', 'verify-full', ` sslrootcert=${ca}`).replace(server.password, 'sekrit-pw') },
      {},
      { home: '/nonexistent' },
    );
    const err = await ReplicationConnection.open(toPgClientConfig(bad, { replication: 'database' }), 'database').catch(
      (e: unknown) => e,
    );
    expect(err).toBeInstanceOf(WalscopeError);
    expect((err as WalscopeError).code).toBe('CONNECTION');
    expect(JSON.stringify((err as WalscopeError).toInfo())).not.toContain('sekrit-pw');
  });

  it('CLI verify-full by IP: clean stderr (no DEP0123 warning); another IP is refused; non-PEM files are named', async () => {
    const dsn = (host: string, extra = ` sslrootcert=${ca}`): string =>
      `host=${host} port=${server.port} user=${server.user} password=${server.password} dbname=postgres sslmode=verify-full${extra}`;
    const ok = await runCli(['identify', '--dsn', dsn('127.0.0.1')]);
    expect(ok.code).toBe(0);
    expect(ok.stderr).toBe('');
    // 127.0.0.2 reaches the same server through a forwarder, but the certificate names 127.0.0.1 only.
    const forwarder = net.createServer((socket) => {
      const upstream = net.connect(server.port, '127.0.0.1');
      socket.pipe(upstream).pipe(socket);
      socket.on('error', () => upstream.destroy());
      upstream.on('error', () => socket.destroy());
    });
    await new Promise<void>((resolve) => forwarder.listen(server.port, '127.0.0.2', resolve));
    try {
      const wrong = await runCli(['identify', '--dsn', dsn('127.0.0.2')]);
      expect(wrong.code).toBe(1);
      expect(wrong.stderr).toMatch(
        /^walscope: error \[CONNECTION\]: .*(IP: 127\.0\.0\.2 is not in the cert's list|does not match)/,
      );
      expect(wrong.stderr).not.toMatch(/DeprecationWarning/);
    } finally {
      await new Promise<void>((resolve) => forwarder.close(() => resolve()));
    }
    const notPem = path.join(dir, 'not-a-cert.txt');
    fs.writeFileSync(notPem, 'not a certificate\n');
    const bad = await runCli(['identify', '--dsn', dsn('127.0.0.1', ` sslrootcert=${notPem}`)]);
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(
      new RegExp(`^walscope: error \\[INVALID_ARGUMENT\\]: root certificate \\(sslrootcert\\) ${notPem} is not usable`),
    );
  });
});
