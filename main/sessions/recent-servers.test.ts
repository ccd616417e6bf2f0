import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import type { DemoHandle } from '../demo/demo-database';
import { configFor } from './connect-target';
import { ProfileStore } from './profile-store';
import { RecentConnections } from './recent-connections';
import { SessionManager } from './session-manager';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const tempDir = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-servers-'));
  dirs.push(d);
  return d;
};

function manager(env: NodeJS.ProcessEnv, recent?: RecentConnections): SessionManager {
  return new SessionManager(
    {
      shell: 'serve',
      profiles: new ProfileStore('/nonexistent/profiles.json', undefined),
      demo: () => Promise.reject<DemoHandle>(new Error('no demo here')),
      env,
      ...(recent ? { recent } : {}),
    },
    () => undefined,
  );
}

describe('services.list', () => {
  it('lists the sections of PGSERVICEFILE, then those only in PGSYSCONFDIR, each with its file', async () => {
    const dir = tempDir();
    const userFile = path.join(dir, 'user.conf');
    fs.writeFileSync(userFile, '# mine\n[primary]\nhost=db1\n\n[standby a]\nhost=db2\nport=5433\n');
    fs.mkdirSync(path.join(dir, 'sys'));
    const sysFile = path.join(dir, 'sys', 'pg_service.conf');
    fs.writeFileSync(sysFile, '[primary]\nhost=elsewhere\n[reporting]\nhost=db3\n');
    const m = manager({ PGSERVICEFILE: userFile, PGSYSCONFDIR: path.join(dir, 'sys') });
    expect(await m.dispatcher.invoke('services.list', {})).toEqual({
      ok: true,
      value: [
        { name: 'primary', file: userFile },
        { name: 'standby a', file: userFile },
        { name: 'reporting', file: sysFile },
      ],
    });
  });

  it('answers an empty list when no service file exists', async () => {
    const dir = tempDir();
    const m = manager({ PGSERVICEFILE: path.join(dir, 'missing.conf'), HOME: dir });
    expect(await m.dispatcher.invoke('services.list', {})).toEqual({ ok: true, value: [] });
  });

  it('a service connect target resolves to the section named, labelled with its name', async () => {
    const dir = tempDir();
    const file = path.join(dir, 'svc.conf');
    fs.writeFileSync(file, '[standby a]\nhost=db2\nport=5433\ndbname=app\nuser=dba\n');
    const r = await configFor(
      { kind: 'service', service: 'standby a' },
      {
        profiles: new ProfileStore('/nonexistent/profiles.json', undefined),
        demo: () => Promise.reject<DemoHandle>(new Error('no demo')),
        env: { PGSERVICEFILE: file, PGPASSFILE: '/nonexistent', PGHOST: 'ignored' },
      },
    );
    expect(r.label).toBe('standby a');
    expect(r.config).toMatchObject({ host: 'db2', port: 5433, database: 'app', user: 'dba' });
  });
});

describe('recent connections', () => {
  const SECRET = 'pa55-Secret!';

  it('keeps the last 10, newest first, each once, and never writes a password to its file', () => {
    const file = path.join(tempDir(), 'recent.json');
    const recent = new RecentConnections(file);
    for (let i = 0; i < 12; i++)
      recent.record({ kind: 'dsn', dsn: `postgres://u:${SECRET}@h${i}:5432/db?sslmode=require` }, `h${i}`, i);
    recent.record({ kind: 'dsn', dsn: `host=h3 password='${SECRET}' dbname=db`, password: SECRET }, 'h3 again', 20);
    recent.record({ kind: 'fields', fields: { host: 'f', port: 5433, password: SECRET } }, 'fields', 21);
    recent.record({ kind: 'dsn', dsn: `postgres://u:${SECRET}@h11:5432/db?sslmode=require` }, 'h11', 22);
    recent.record({ kind: 'demo' }, 'demo', 23);
    const list = recent.list();
    expect(list).toHaveLength(10);
    expect(list.map((r) => r.label)).toEqual(['h11', 'fields', 'h3 again', 'h10', 'h9', 'h8', 'h7', 'h6', 'h5', 'h4']);
    expect(list[0]!.target).toEqual({ kind: 'dsn', dsn: 'user=u host=h11 port=5432 dbname=db sslmode=require' });
    expect(list[1]!.target).toEqual({ kind: 'fields', fields: { host: 'f', port: 5433 } });
    const text = fs.readFileSync(file, 'utf8');
    expect(JSON.parse(text)).toHaveLength(10); // the file itself is bounded, not only the answer
    expect(text).not.toContain(SECRET);
    expect(text).not.toMatch(/password/i);
    expect(fs.statSync(file).mode & 0o777).toBe(0o600);
  });

  it('recent.list answers what was recorded, through the dispatcher', async () => {
    const recent = new RecentConnections(path.join(tempDir(), 'recent.json'));
    recent.record({ kind: 'service', service: 'primary' }, 'primary', 5);
    const m = manager({}, recent);
    expect(await m.dispatcher.invoke('recent.list', {})).toEqual({
      ok: true,
      value: [{ target: { kind: 'service', service: 'primary' }, label: 'primary', at: 5 }],
    });
  });
});
