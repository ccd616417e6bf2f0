import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { X509Certificate } from 'node:crypto';
import type { PeerCertificate } from 'node:tls';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { WalscopeError } from '../../shared/errors';
import { parseConnectionString } from './conninfo';
import { toPgClientConfig } from './pg-config';
import { selfSignedPem } from './test-support/pem';
import { lookupPgpass } from './pgpass';
import { describeSettings, resolveConnectionSettings } from './settings';

let dir: string;
beforeEach(() => {
  dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-conn-'));
});
afterEach(() => fs.rmSync(dir, { recursive: true, force: true }));

const write = (name: string, text: string, mode = 0o600): string => {
  const f = path.join(dir, name);
  fs.writeFileSync(f, text, { mode });
  fs.chmodSync(f, mode);
  return f;
};

describe('connection strings', () => {
  it('parses URIs with percent-encoding, IPv6, host lists and parameters', () => {
    expect(
      parseConnectionString(
        'postgresql://us%40er:p%3Ass@db.example:6543/my%20db?sslmode=verify-full&application_name=x',
      ),
    ).toEqual({
      user: 'us@er',
      password: 'p:ss',
      host: 'db.example',
      port: '6543',
      dbname: 'my db',
      sslmode: 'verify-full',
      application_name: 'x',
    });
    expect(parseConnectionString('postgres://[::1]:5433/db')).toMatchObject({ host: '::1', port: '5433' });
    expect(parseConnectionString('postgres://a:1,b:2/db')).toMatchObject({ host: 'a', port: '1' });
    expect(parseConnectionString('postgres://h/db?ssl=true')).toMatchObject({ sslmode: 'require' });
    expect(() => parseConnectionString('postgres://[::1')).toThrow(/IPv6/);
    expect(() => parseConnectionString('mysql://h/db')).toThrow(/postgres:\/\//);
  });
  it('parses keyword/value strings with quoting', () => {
    expect(parseConnectionString(`host=h port = 5 password='a b\\'c' dbname=x\\ y`)).toEqual({
      host: 'h',
      port: '5',
      password: "a b'c",
      dbname: 'x y',
    });
    expect(() => parseConnectionString(`host='open`)).toThrow(/unterminated/);
    expect(() => parseConnectionString(`host`)).toThrow(/missing "="/);
  });
});

describe('settings precedence (libpq)', () => {
  it('explicit > service > environment > defaults', () => {
    const svc = write('svc.conf', '[prod]\nhost=svc-host\nport=7000\ndbname=svcdb\n');
    const env = { PGSERVICEFILE: svc, PGHOST: 'env-host', PGPORT: '6000', PGUSER: 'envuser', PGPASSFILE: '/none' };
    const viaEnvService = resolveConnectionSettings({ dsn: 'service=prod' }, env, { home: dir });
    expect(viaEnvService).toMatchObject({
      host: 'svc-host',
      port: 7000,
      database: 'svcdb',
      user: 'envuser',
      service: 'prod',
    });
    const explicit = resolveConnectionSettings({ dsn: 'service=prod port=9', overrides: { host: 'ui-host' } }, env, {
      home: dir,
    });
    expect(explicit).toMatchObject({ host: 'ui-host', port: 9 });
    const envOnly = resolveConnectionSettings({}, env, { home: dir });
    expect(envOnly).toMatchObject({
      host: 'env-host',
      port: 6000,
      user: 'envuser',
      database: 'envuser',
      sslmode: 'prefer',
    });
    expect(() => resolveConnectionSettings({ dsn: 'service=nope' }, env, { home: dir })).toThrow(
      /service named in the connection string not found/,
    );
    expect(() => resolveConnectionSettings({ dsn: 'sslmode=sometimes' }, env, { home: dir })).toThrow(
      /invalid sslmode/,
    );
    expect(() => resolveConnectionSettings({ dsn: 'port=99999' }, env, { home: dir })).toThrow(/invalid port/);
  });
  it('takes the password from pgpass only when none is given, and never describes it', () => {
    const pass = write('pgpass', 'other:*:*:*:no\nh:5432:*:u:se\\:cret\n*:*:*:*:fallback\n');
    const s = resolveConnectionSettings({ dsn: 'host=h user=u dbname=d' }, { PGPASSFILE: pass }, { home: dir });
    expect(s.password).toBe('se:cret');
    expect(describeSettings(s)).not.toContain('se:cret');
    const given = resolveConnectionSettings({ dsn: 'host=h user=u password=x' }, { PGPASSFILE: pass }, { home: dir });
    expect(given.password).toBe('x');
  });
  it('ignores a pgpass readable by others, with a warning', () => {
    const pass = write('pgpass', '*:*:*:*:secret\n', 0o644);
    expect(lookupPgpass(pass, { host: 'h', port: 1, database: 'd', user: 'u' })).toEqual({
      warning: expect.stringMatching(/group or world access/),
    });
  });
});

describe('sslmode → node-postgres', () => {
  const base = resolveConnectionSettings(
    { dsn: 'host=db.example user=u' },
    { PGPASSFILE: '/none' },
    { home: '/nonexistent' },
  );
  it('maps each mode like libpq', () => {
    const pem = selfSignedPem(dir).cert;
    const ca = write('ca.pem', pem);
    expect(toPgClientConfig({ ...base, sslmode: 'disable' }).ssl).toBe(false);
    expect(toPgClientConfig({ ...base, sslmode: 'allow' }).ssl).toBe(false);
    const prefer = toPgClientConfig({ ...base, sslmode: 'prefer' });
    expect(prefer.ssl).toMatchObject({ rejectUnauthorized: false });
    expect(prefer.sslFallback).toBe(true);
    expect(toPgClientConfig({ ...base, sslmode: 'require' }).ssl).toEqual({ rejectUnauthorized: false });
    const requireWithCa = toPgClientConfig({ ...base, sslmode: 'require', sslrootcert: ca }).ssl as Record<
      string,
      unknown
    >;
    expect(requireWithCa).toMatchObject({ ca: pem, rejectUnauthorized: true });
    const verifyCa = toPgClientConfig({ ...base, sslmode: 'verify-ca', sslrootcert: ca }).ssl as {
      checkServerIdentity: () => unknown;
    };
    expect(verifyCa.checkServerIdentity()).toBeUndefined();
    expect(toPgClientConfig({ ...base, sslmode: 'verify-full', sslrootcert: ca }).ssl).toMatchObject({
      ca: pem,
      rejectUnauthorized: true,
      servername: 'db.example',
    });
    expect(() => toPgClientConfig({ ...base, sslmode: 'verify-full', sslrootcert: path.join(dir, 'missing') })).toThrow(
      /cannot read root certificate/,
    );
  });
  it('maps channel_binding, and refuses require without TLS', () => {
    expect(toPgClientConfig({ ...base, channelBinding: 'prefer' }).enableChannelBinding).toBe(true);
    expect(toPgClientConfig({ ...base, channelBinding: 'disable' }).enableChannelBinding).toBe(false);
    expect(() =>
      resolveConnectionSettings({ dsn: 'sslmode=disable channel_binding=require' }, {}, { home: dir }),
    ).toThrow(/needs TLS/);
    expect(
      resolveConnectionSettings({ dsn: 'sslmode=require' }, { PGCHANNELBINDING: 'require' }, { home: dir })
        .channelBinding,
    ).toBe('require');
  });
  it('sets keepalive, application_name and the replication start-up parameter', () => {
    const c = toPgClientConfig({ ...base, applicationName: 'walscope/0.1.0' }, { replication: 'database' }) as Record<
      string,
      unknown
    >;
    expect(c).toMatchObject({ keepAlive: true, application_name: 'walscope/0.1.0', replication: 'database' });
  });
});

describe('TLS files and verify-full by IP address', () => {
  const base = resolveConnectionSettings({ dsn: 'host=10.1.2.3 user=u' }, { PGPASSFILE: '/none' }, { home: '/none' });
  it('a certificate or key file that is not PEM is a configuration error naming the file', () => {
    const { cert, key } = selfSignedPem(dir);
    const notPem = write('notes.txt', 'this is not a certificate\n');
    const der = path.join(dir, 'cert.der');
    fs.writeFileSync(der, new X509Certificate(cert).raw);
    const cases: [Partial<typeof base>, string][] = [
      [{ sslmode: 'verify-full', sslrootcert: notPem }, notPem],
      [{ sslmode: 'verify-full', sslrootcert: der }, der],
      [{ sslmode: 'require', sslcert: notPem, sslkey: write('key.pem', key) }, notPem],
      [{ sslmode: 'require', sslcert: write('cert.pem', cert), sslkey: notPem }, notPem],
    ];
    for (const [extra, file] of cases) {
      let error: unknown;
      try {
        toPgClientConfig({ ...base, ...extra });
      } catch (e) {
        error = e;
      }
      expect(error).toBeInstanceOf(WalscopeError);
      expect((error as WalscopeError).code).toBe('INVALID_ARGUMENT');
      expect((error as WalscopeError).message).toContain(`${file} is not usable`);
    }
  });
  it('verify-full to an IP sets no SNI servername and checks the certificate against the IP', () => {
    const { cert } = selfSignedPem(dir);
    const ssl = toPgClientConfig({ ...base, sslmode: 'verify-full', sslrootcert: write('ca.pem', cert) }).ssl as {
      servername?: string;
      checkServerIdentity(name: string, c: PeerCertificate): Error | undefined;
    };
    expect(ssl.servername).toBeUndefined();
    const forIp = (ip: string) => ({ subject: { CN: 'x' }, subjectaltname: `IP Address:${ip}` }) as PeerCertificate;
    expect(ssl.checkServerIdentity('ignored', forIp('10.1.2.3'))).toBeUndefined();
    expect(ssl.checkServerIdentity('10.1.2.3', forIp('10.9.9.9'))).toBeInstanceOf(Error);
  });
});
