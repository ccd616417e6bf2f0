import fs from 'node:fs';
import path from 'node:path';
import type { Profile } from '../../shared/contract';

/**
 * Saved connection profiles in the user data dir. Passwords never go into the JSON file in plain
 * text: they are encrypted by a SecretStore (Electron's safeStorage) and stored as ciphertext;
 * where no SecretStore is available the password is simply not saved. Where the SecretStore's key
 * is not protected by the OS (Linux without a keyring), a password is saved only when the user
 * asks for it knowing that, and every answer says so.
 */
export interface SecretStore {
  encrypt(plain: string): Buffer;
  decrypt(cipher: Buffer): string;
  /**
   * False when the key is one anyone can find: Chromium's `basic_text` backend on Linux without a
   * keyring encrypts with a hard-coded key, which hides the text but protects nothing.
   */
  readonly protectsSecrets: boolean;
}

/** How saved passwords would be kept: OS keychain, a fixed key (not secure), or not at all. */
export type PasswordStorage = 'safeStorage' | 'fixed-key' | 'unavailable';

const NOT_SAVED_NO_STORE =
  'The password was not saved: no secure storage (OS keychain) is available here. You will be asked for it when connecting.';
const NOT_SAVED_FIXED_KEY =
  'The password was not saved: this system has no keyring, so it could only be stored with a fixed key that anyone who can read your files can undo. You will be asked for it when connecting.';
const SAVED_FIXED_KEY =
  'The password was saved with a fixed key (this system has no keyring): anyone who can read your WALscope data can recover it.';

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

  get passwordStorage(): PasswordStorage {
    if (!this.secrets) return 'unavailable';
    return this.secrets.protectsSecrets ? 'safeStorage' : 'fixed-key';
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

  /** `allowFixedKey`: the user chose to save the password even where only a fixed key would keep it. */
  save(
    profile: Omit<Profile, 'hasPassword'>,
    password?: string,
    opts: { allowFixedKey?: boolean } = {},
  ): { profile: Profile; passwordSaved: boolean; note?: string } {
    const all = this.read().filter((p) => p.profile.id !== profile.id);
    const entry: StoredProfile = { profile };
    let note: string | undefined;
    if (password !== undefined && password !== '') {
      const storage = this.passwordStorage;
      switch (storage) {
        case 'safeStorage':
          entry.secret = this.secrets!.encrypt(password).toString('base64');
          break;
        case 'fixed-key':
          if (opts.allowFixedKey) entry.secret = this.secrets!.encrypt(password).toString('base64');
          note = opts.allowFixedKey ? SAVED_FIXED_KEY : NOT_SAVED_FIXED_KEY;
          break;
        case 'unavailable':
          note = NOT_SAVED_NO_STORE;
          break;
        default: {
          const never: never = storage;
          throw new Error(`unknown password storage ${String(never)}`);
        }
      }
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
