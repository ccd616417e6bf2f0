import { useConnection } from '../stores/connection-store';
import { ConnectForm } from './ConnectForm';
import { ProfileList } from './ProfileList';

/**
 * Connect by DSN or fields, from a saved profile, or to the built-in demo database. `another`: a
 * server is already connected; the sidebar lists the saved profiles, services and recent servers.
 */
export function ConnectView({ another = false }: { another?: boolean }) {
  const setAdding = useConnection((s) => s.setAdding);
  return (
    <div className={another ? 'connect another' : 'connect'}>
      <header className="connect-head">
        {another ? (
          <>
            <h2>Connect another server</h2>
            <p>The servers already connected stay connected, their streams running.</p>
            <button className="link" onClick={() => setAdding(false)}>
              Back
            </button>
          </>
        ) : (
          <>
            <h1>WALscope</h1>
            <p>
              Inspect replication slots, standbys and the decoded change stream — without moving anyone&apos;s slot.
            </p>
          </>
        )}
      </header>
      <div className="connect-grid">
        <ConnectForm />
        <ProfileList />
      </div>
    </div>
  );
}
