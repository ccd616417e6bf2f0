import { useState } from 'react';
import { SSL_MODES, type ConnectTarget } from '../../shared/contract';
import { useConnection } from '../stores/connection-store';
import { ErrorBox } from './ErrorBox';

type SslMode = (typeof SSL_MODES)[number];

/** Connect by DSN or fields, from a saved profile, or to the built-in demo database. */
export function ConnectView() {
  const { info, profiles, connecting, error, connect, cancelConnect, saveProfile, deleteProfile } = useConnection();
  const [mode, setMode] = useState<'dsn' | 'fields'>('dsn');
  const [dsn, setDsn] = useState('');
  const [password, setPassword] = useState('');
  const d = info?.defaults ?? {};
  const [host, setHost] = useState(d.host ?? 'localhost');
  const [port, setPort] = useState(String(d.port ?? 5432));
  const [database, setDatabase] = useState(d.database ?? 'postgres');
  const [user, setUser] = useState(d.user ?? 'postgres');
  const [sslmode, setSslmode] = useState<SslMode>('prefer');
  const [sslrootcert, setSslrootcert] = useState('');
  const [profileName, setProfileName] = useState('');
  const [note, setNote] = useState<string | undefined>();
  const [allowFixedKey, setAllowFixedKey] = useState(false);
  const fixedKey = info?.passwordStorage === 'fixed-key';

  const fields = () => ({
    host,
    port: Number(port) || 5432,
    database,
    user,
    sslmode,
    ...(sslrootcert ? { sslrootcert } : {}),
  });
  const target = (): ConnectTarget =>
    mode === 'dsn'
      ? { kind: 'dsn', dsn, ...(password ? { password } : {}) }
      : { kind: 'fields', fields: { ...fields(), ...(password ? { password } : {}) } };

  return (
    <div className="connect">
      <header className="connect-head">
        <h1>WALscope</h1>
        <p>Inspect replication slots, standbys and the decoded change stream — without moving anyone&apos;s slot.</p>
      </header>
      <div className="connect-grid">
        <form
          className="card"
          aria-label="Connect to a server"
          onSubmit={(e) => {
            e.preventDefault();
            void connect(target());
          }}
        >
          <div className="segmented" role="tablist">
            <button
              type="button"
              role="tab"
              aria-selected={mode === 'dsn'}
              className={mode === 'dsn' ? 'on' : ''}
              onClick={() => setMode('dsn')}
            >
              Connection string
            </button>
            <button
              type="button"
              role="tab"
              aria-selected={mode === 'fields'}
              className={mode === 'fields' ? 'on' : ''}
              onClick={() => setMode('fields')}
            >
              Fields
            </button>
          </div>
          {mode === 'dsn' ? (
            <label>
              DSN
              <input
                name="dsn"
                placeholder="postgres://user@host:5432/dbname?sslmode=require"
                value={dsn}
                onChange={(e) => setDsn(e.target.value)}
                autoComplete="off"
                spellCheck={false}
              />
            </label>
          ) : (
            <div className="fields">
              <label>
                Host
                <input name="host" value={host} onChange={(e) => setHost(e.target.value)} />
              </label>
              <label>
                Port
                <input name="port" value={port} inputMode="numeric" onChange={(e) => setPort(e.target.value)} />
              </label>
              <label>
                Database
                <input name="database" value={database} onChange={(e) => setDatabase(e.target.value)} />
              </label>
              <label>
                User
                <input name="user" value={user} onChange={(e) => setUser(e.target.value)} />
              </label>
              <label>
                TLS (sslmode)
                <select name="sslmode" value={sslmode} onChange={(e) => setSslmode(e.target.value as SslMode)}>
                  {SSL_MODES.map((m) => (
                    <option key={m}>{m}</option>
                  ))}
                </select>
              </label>
              <label>
                CA file (verify-ca / verify-full)
                <input
                  name="sslrootcert"
                  value={sslrootcert}
                  placeholder="/path/to/root.crt"
                  onChange={(e) => setSslrootcert(e.target.value)}
                />
              </label>
            </div>
          )}
          <label>
            Password
            <input
              name="password"
              type="password"
              value={password}
              onChange={(e) => setPassword(e.target.value)}
              placeholder="from ~/.pgpass or PGPASSWORD if empty"
            />
          </label>
          <div className="row">
            <button type="submit" className="primary" disabled={connecting}>
              {connecting ? 'Connecting…' : 'Connect'}
            </button>
            <button type="button" onClick={() => void connect({ kind: 'demo' })} disabled={connecting}>
              Demo database
            </button>
            {connecting && (
              <button type="button" onClick={() => void cancelConnect()}>
                Cancel
              </button>
            )}
          </div>
          {error && <ErrorBox error={error} />}
          {mode === 'fields' && (
            <div className="row save-profile">
              <input
                aria-label="Profile name"
                placeholder="Save as profile…"
                value={profileName}
                onChange={(e) => setProfileName(e.target.value)}
              />
              <button
                type="button"
                disabled={!profileName}
                onClick={async () => {
                  const id = profileName.toLowerCase().replace(/[^a-z0-9]+/g, '-');
                  setNote(
                    await saveProfile(
                      { id, name: profileName, fields: fields() },
                      password || undefined,
                      allowFixedKey,
                    ),
                  );
                }}
              >
                Save profile
              </button>
              {fixedKey && password && (
                <label className="inline">
                  <input type="checkbox" checked={allowFixedKey} onChange={(e) => setAllowFixedKey(e.target.checked)} />
                  Save the password too (no keyring here: stored with a fixed key, not secure)
                </label>
              )}
            </div>
          )}
          {note && <p className="note">{note}</p>}
        </form>
        <section className="card" aria-label="Saved profiles">
          <h2>Saved profiles</h2>
          {profiles.length === 0 && <p className="muted">No saved profiles yet. Fill in the fields and save one.</p>}
          <ul className="profiles">
            {profiles.map((p) => (
              <li key={p.id}>
                <button className="link" onClick={() => void connect({ kind: 'profile', profileId: p.id })}>
                  {p.name}
                </button>
                <span className="muted">
                  {p.fields.user}@{p.fields.host}:{p.fields.port}/{p.fields.database} · {p.fields.sslmode}
                  {p.hasPassword
                    ? fixedKey
                      ? ' · password saved with a fixed key (not secure)'
                      : ' · password in keychain'
                    : ''}
                </span>
                <button
                  className="link danger"
                  aria-label={`Delete profile ${p.name}`}
                  onClick={() => void deleteProfile(p.id)}
                >
                  Delete
                </button>
              </li>
            ))}
          </ul>
          {info?.passwordStorage === 'unavailable' && (
            <p className="muted">Passwords are not saved here: no OS keychain is available in this mode.</p>
          )}
          {fixedKey && (
            <p className="muted" data-testid="fixed-key-warning">
              No keyring on this system: a saved password would be stored with a fixed key that anyone who can read your
              files can undo. Passwords are saved only if you tick the box.
            </p>
          )}
        </section>
      </div>
    </div>
  );
}
