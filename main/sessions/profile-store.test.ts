import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { ProfileStore, type SecretStore } from './profile-store';

const dirs: string[] = [];
afterEach(() => dirs.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const file = (): string => {
  const d = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-profiles-'));
  dirs.push(d);
  return path.join(d, 'profiles.json');
};
const profile = {
  id: 'prod',
  name: 'Production',
  fields: { host: 'db', port: 5432, database: 'app', user: 'dba', sslmode: 'verify-full' as const },
};

describe('ProfileStore', () => {
  it('never writes a password in plain text; with safeStorage it stores ciphertext', () => {
    const f = file();
    // A stand-in for Electron's safeStorage: reversible, but not the plain text.
    const secrets: SecretStore = {
      encrypt: (s) => Buffer.from(s.split('').reverse().join('') + '#enc'),
      decrypt: (b) => b.toString().replace(/#enc$/, '').split('').reverse().join(''),
      protectsSecrets: true,
    };
    const store = new ProfileStore(f, secrets);
    const saved = store.save(profile, 'hunter2-secret');
    expect(saved).toMatchObject({ passwordSaved: true, profile: { hasPassword: true } });
    const onDisk = fs.readFileSync(f, 'utf8');
    expect(onDisk).not.toContain('hunter2-secret');
    expect((fs.statSync(f).mode & 0o077) === 0).toBe(true);
    expect(store.resolve('prod')?.password).toBe('hunter2-secret');
    expect(store.list()).toEqual([{ ...profile, hasPassword: true }]);
    store.delete('prod');
    expect(store.list()).toEqual([]);
  });

  it('without secure storage it does not save the password and says so', () => {
    const f = file();
    const store = new ProfileStore(f, undefined);
    const saved = store.save(profile, 'hunter2-secret');
    expect(saved.passwordSaved).toBe(false);
    expect(saved.note).toMatch(/not saved/);
    expect(fs.readFileSync(f, 'utf8')).not.toContain('hunter2-secret');
    expect(store.resolve('prod')?.password).toBeUndefined();
    expect(store.passwordStorage).toBe('unavailable');
  });

  it('with a fixed-key store (no keyring) it says so and saves a password only when asked', () => {
    const f = file();
    const secrets: SecretStore = {
      encrypt: (s) => Buffer.from(`fixed:${Buffer.from(s).toString('hex')}`),
      decrypt: (b) => Buffer.from(b.toString().slice('fixed:'.length), 'hex').toString(),
      protectsSecrets: false,
    };
    const store = new ProfileStore(f, secrets);
    expect(store.passwordStorage).toBe('fixed-key');
    const refused = store.save(profile, 'hunter2-secret');
    expect(refused).toMatchObject({ passwordSaved: false, profile: { hasPassword: false } });
    expect(refused.note).toMatch(/not saved: this system has no keyring/);
    expect(store.resolve('prod')?.password).toBeUndefined();
    const asked = store.save(profile, 'hunter2-secret', { allowFixedKey: true });
    expect(asked).toMatchObject({ passwordSaved: true, profile: { hasPassword: true } });
    expect(asked.note).toMatch(/saved with a fixed key .*anyone who can read/);
    expect(fs.readFileSync(f, 'utf8')).not.toContain('hunter2-secret');
    expect(store.resolve('prod')?.password).toBe('hunter2-secret');
  });
});
