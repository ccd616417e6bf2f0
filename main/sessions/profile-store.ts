import fs from 'node:fs';
import path from 'node:path';
import type { Profile } from '../../shared/contract';

/**
 * Saved connection profiles in the user data dir. Passwords never go into the JSON file: they are
 * encrypted by a SecretStore (Electron's safeStorage, backed by the OS keychain) and stored as
 * opaque ciphertext; where no SecretStore is available the password is simply not saved.
 */
export interface SecretStore {
  encrypt(plain: string): Buffer;
  decrypt(cipher: Buffer): string;
}

interface StoredProfile {
  profile: Omit<Profile, 'hasPassword'>;
  /** base64 of the SecretStore ciphertext. */
  secret?: string;
}

export class ProfileStore {
  constructor(
    private readonly file: string,
    private readonly secrets: SecretStore | undefined,
  ) {}

  get passwordStorage(): 'safeStorage' | 'unavailable' {
    return this.secrets ? 'safeStorage' : 'unavailable';
  }

  private read(): StoredProfile[] {
    try {
      return JSON.parse(fs.readFileSync(this.file, 'utf8')) as StoredProfile[];
    } catch {
      return [];
    }
  }

  private write(all: StoredProfile[]): void {
    fs.mkdirSync(path.dirname(this.file), { recursive: true, mode: 0o700 });
    const tmp = `${this.file}.tmp`;
    fs.writeFileSync(tmp, JSON.stringify(all, null, 2), { mode: 0o600 });
    fs.renameSync(tmp, this.file);
  }

  list(): Profile[] {
    return this.read().map((p) => ({ ...p.profile, hasPassword: p.secret !== undefined }));
  }

  save(
    profile: Omit<Profile, 'hasPassword'>,
    password?: string,
  ): { profile: Profile; passwordSaved: boolean; note?: string } {
    const all = this.read().filter((p) => p.profile.id !== profile.id);
    const entry: StoredProfile = { profile };
    let note: string | undefined;
    if (password !== undefined && password !== '') {
      if (this.secrets) entry.secret = this.secrets.encrypt(password).toString('base64');
      else
        note =
          'The password was not saved: no secure storage (OS keychain) is available here. You will be asked for it when connecting.';
    }
    all.push(entry);
    this.write(all);
    return {
      profile: { ...profile, hasPassword: entry.secret !== undefined },
      passwordSaved: entry.secret !== undefined,
      ...(note ? { note } : {}),
    };
  }

  delete(id: string): void {
    this.write(this.read().filter((p) => p.profile.id !== id));
  }

  /** The profile with its decrypted password, for connecting (never sent to the renderer). */
  resolve(id: string): { profile: Omit<Profile, 'hasPassword'>; password?: string } | undefined {
    const found = this.read().find((p) => p.profile.id === id);
    if (!found) return undefined;
    const password =
      found.secret && this.secrets ? this.secrets.decrypt(Buffer.from(found.secret, 'base64')) : undefined;
    return { profile: found.profile, ...(password !== undefined ? { password } : {}) };
  }
}
