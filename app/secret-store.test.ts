import { describe, expect, it } from 'vitest';
import { ProfileStore } from '../main/sessions/profile-store';
import { secretStoreFor, type SafeStorageLike } from './secret-store';

/** A stand-in for Electron's safeStorage with a chosen availability and Linux backend. */
function fakeSafeStorage(available: boolean, backend?: string): SafeStorageLike {
  return {
    isEncryptionAvailable: () => available,
    encryptString: (s) => Buffer.from(s).reverse(),
    decryptString: (b) => Buffer.from(b).reverse().toString(),
    ...(backend !== undefined ? { getSelectedStorageBackend: () => backend } : {}),
  };
}

const storageOf = (safe: SafeStorageLike, platform: NodeJS.Platform) =>
  new ProfileStore('/nonexistent/profiles.json', secretStoreFor(safe, platform)).passwordStorage;

describe('safeStorage as the secret store (no Electron: a fake safeStorage)', () => {
  it('on Linux, counts only a keyring as secure: basic_text and unknown are a fixed key', () => {
    for (const keyring of ['gnome_libsecret', 'kwallet', 'kwallet5', 'kwallet6']) {
      expect(storageOf(fakeSafeStorage(true, keyring), 'linux'), keyring).toBe('safeStorage');
    }
    expect(storageOf(fakeSafeStorage(true, 'basic_text'), 'linux')).toBe('fixed-key');
    expect(storageOf(fakeSafeStorage(true, 'unknown'), 'linux')).toBe('fixed-key');
    expect(storageOf(fakeSafeStorage(true), 'linux')).toBe('fixed-key');
  });

  it('trusts the Keychain and DPAPI on macOS and Windows, and has no store when encryption is unavailable', () => {
    expect(storageOf(fakeSafeStorage(true), 'darwin')).toBe('safeStorage');
    expect(storageOf(fakeSafeStorage(true), 'win32')).toBe('safeStorage');
    expect(storageOf(fakeSafeStorage(false, 'gnome_libsecret'), 'linux')).toBe('unavailable');
    expect(secretStoreFor(fakeSafeStorage(false), 'darwin')).toBeUndefined();
  });

  it('encrypts and decrypts through safeStorage', () => {
    const store = secretStoreFor(fakeSafeStorage(true, 'gnome_libsecret'), 'linux')!;
    const cipher = store.encrypt('hunter2');
    expect(cipher.toString()).not.toBe('hunter2');
    expect(store.decrypt(cipher)).toBe('hunter2');
  });
});
