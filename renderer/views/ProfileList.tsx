import type { Profile } from '../../shared/contract';
import { useConnection } from '../stores/connection-store';

/** One saved profile: connect by clicking its name, where it points, where its password is, Delete. */
function ProfileItem({ p, fixedKey }: { p: Profile; fixedKey: boolean }) {
  const { connect, deleteProfile } = useConnection();
  return (
    <li>
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
      <button className="link danger" aria-label={`Delete profile ${p.name}`} onClick={() => void deleteProfile(p.id)}>
        Delete
      </button>
    </li>
  );
}

/** The saved profiles, and how (or whether) their passwords are stored on this system. */
export function ProfileList() {
  const { info, profiles } = useConnection();
  const fixedKey = info?.passwordStorage === 'fixed-key';
  return (
    <section className="card" aria-label="Saved profiles">
      <h2>Saved profiles</h2>
      {profiles.length === 0 && <p className="muted">No saved profiles yet. Fill in the fields and save one.</p>}
      <ul className="profiles">
        {profiles.map((p) => (
          <ProfileItem key={p.id} p={p} fixedKey={fixedKey} />
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
  );
}
