import { ConnectForm } from './ConnectForm';
import { ProfileList } from './ProfileList';

/** Connect by DSN or fields, from a saved profile, or to the built-in demo database. */
export function ConnectView() {
  return (
    <div className="connect">
      <header className="connect-head">
        <h1>WALscope</h1>
        <p>Inspect replication slots, standbys and the decoded change stream — without moving anyone&apos;s slot.</p>
      </header>
      <div className="connect-grid">
        <ConnectForm />
        <ProfileList />
      </div>
    </div>
  );
}
