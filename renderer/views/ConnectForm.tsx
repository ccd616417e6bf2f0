import { useState } from 'react';
import { SSL_MODES, type ConnectTarget } from '../../shared/contract';
import { useConnection } from '../stores/connection-store';
import { ErrorBox } from './ErrorBox';

type SslMode = (typeof SSL_MODES)[number];

/** The form's fields and the connect target (DSN or fields, password only when typed) they make. */
function useConnectFields() {
  const info = useConnection((s) => s.info);
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
  // prettier-ignore
  return {
    mode, setMode, dsn, setDsn, password, setPassword, host, setHost, port, setPort, database, setDatabase,
    user, setUser, sslmode, setSslmode, sslrootcert, setSslrootcert, fields, target,
  };
}

type Fields = ReturnType<typeof useConnectFields>;

function ModeTabs({ f }: { f: Fields }) {
  const tab = (mode: Fields['mode'], label: string) => (
    <button
      type="button"
      role="tab"
      aria-selected={f.mode === mode}
      className={f.mode === mode ? 'on' : ''}
      onClick={() => f.setMode(mode)}
    >
      {label}
    </button>
  );
  return (
    <div className="segmented" role="tablist">
      {tab('dsn', 'Connection string')}
      {tab('fields', 'Fields')}
    </div>
  );
}

function DsnField({ f }: { f: Fields }) {
  return (
    <label>
      DSN
      <input
        name="dsn"
        placeholder="postgres://user@host:5432/dbname?sslmode=require"
        value={f.dsn}
        onChange={(e) => f.setDsn(e.target.value)}
        autoComplete="off"
        spellCheck={false}
      />
    </label>
  );
}

function ServerFields({ f }: { f: Fields }) {
  return (
    <div className="fields">
      <label>
        Host
        <input name="host" value={f.host} onChange={(e) => f.setHost(e.target.value)} />
      </label>
      <label>
        Port
        <input name="port" value={f.port} inputMode="numeric" onChange={(e) => f.setPort(e.target.value)} />
      </label>
      <label>
        Database
        <input name="database" value={f.database} onChange={(e) => f.setDatabase(e.target.value)} />
      </label>
      <label>
        User
        <input name="user" value={f.user} onChange={(e) => f.setUser(e.target.value)} />
      </label>
      <TlsFields f={f} />
    </div>
  );
}

function TlsFields({ f }: { f: Fields }) {
  return (
    <>
      <label>
        TLS (sslmode)
        <select name="sslmode" value={f.sslmode} onChange={(e) => f.setSslmode(e.target.value as SslMode)}>
          {SSL_MODES.map((m) => (
            <option key={m}>{m}</option>
          ))}
        </select>
      </label>
      <label>
        CA file (verify-ca / verify-full)
        <input
          name="sslrootcert"
          value={f.sslrootcert}
          placeholder="/path/to/root.crt"
          onChange={(e) => f.setSslrootcert(e.target.value)}
        />
      </label>
    </>
  );
}

function PasswordField({ f }: { f: Fields }) {
  return (
    <label>
      Password
      <input
        name="password"
        type="password"
        value={f.password}
        onChange={(e) => f.setPassword(e.target.value)}
        placeholder="from ~/.pgpass or PGPASSWORD if empty"
      />
    </label>
  );
}

function ConnectButtons() {
  const { connecting, connect, cancelConnect } = useConnection();
  return (
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
  );
}

/** The profile being named; kept by the form so switching to DSN and back does not lose it. */
function useProfileDraft() {
  const [profileName, setProfileName] = useState('');
  const [allowFixedKey, setAllowFixedKey] = useState(false);
  return { profileName, setProfileName, allowFixedKey, setAllowFixedKey };
}

interface SaveProfileProps {
  f: Fields;
  draft: ReturnType<typeof useProfileDraft>;
  onNote: (note: string | undefined) => void;
}

/** Saves the fields (and, on consent where only a fixed key is available, the password) as a profile. */
function SaveProfile({ f, draft, onNote }: SaveProfileProps) {
  const { info, saveProfile } = useConnection();
  const { profileName, setProfileName, allowFixedKey, setAllowFixedKey } = draft;
  const save = async (): Promise<void> => {
    const id = profileName.toLowerCase().replace(/[^a-z0-9]+/g, '-');
    onNote(await saveProfile({ id, name: profileName, fields: f.fields() }, f.password || undefined, allowFixedKey));
  };
  return (
    <div className="row save-profile">
      <input
        aria-label="Profile name"
        placeholder="Save as profile…"
        value={profileName}
        onChange={(e) => setProfileName(e.target.value)}
      />
      <button type="button" disabled={!profileName} onClick={save}>
        Save profile
      </button>
      {info?.passwordStorage === 'fixed-key' && f.password && (
        <label className="inline">
          <input type="checkbox" checked={allowFixedKey} onChange={(e) => setAllowFixedKey(e.target.checked)} />
          Save the password too (no keyring here: stored with a fixed key, not secure)
        </label>
      )}
    </div>
  );
}

/** Connect by DSN or by fields, or to the demo database; save the fields as a profile. */
export function ConnectForm() {
  const { error, connect } = useConnection();
  const f = useConnectFields();
  const draft = useProfileDraft();
  const [note, setNote] = useState<string | undefined>();
  return (
    <form
      className="card"
      aria-label="Connect to a server"
      onSubmit={(e) => {
        e.preventDefault();
        void connect(f.target());
      }}
    >
      <ModeTabs f={f} />
      {f.mode === 'dsn' ? <DsnField f={f} /> : <ServerFields f={f} />}
      <PasswordField f={f} />
      <ConnectButtons />
      {error && <ErrorBox error={error} />}
      {f.mode === 'fields' && <SaveProfile f={f} draft={draft} onNote={setNote} />}
      {note && <p className="note">{note}</p>}
    </form>
  );
}
