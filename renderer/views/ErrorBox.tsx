import type { ErrorInfo } from '../../shared/errors';

const TITLES: Partial<Record<ErrorInfo['code'], string>> = {
  CONNECTION: 'Cannot reach the server',
  AUTH: 'Authentication failed',
  PRIVILEGE: 'Missing privilege',
  WAL_LEVEL: 'wal_level is not logical',
  SLOT_EXISTS: 'Slot already exists',
  SLOT_IN_USE: 'Slot in use',
  SLOT_NOT_FOUND: 'No such slot',
  SLOT_LIMIT: 'Out of replication slots',
  INVALID_ARGUMENT: 'Invalid input',
  UNSUPPORTED: 'Not supported by this server',
  TIMEOUT: 'Timed out',
  UNSAFE: 'Refused to protect the server',
  LIMIT: 'Limit reached (keeps the server free for others)',
  CANCELLED: 'Cancelled',
};

/** A user-caused error: what happened (the server's own words) and what to do. Never a stack. */
export function ErrorBox({ error, onDismiss }: { error: ErrorInfo; onDismiss?: () => void }) {
  return (
    <div className="error-box" role="alert" data-code={error.code}>
      <strong>{TITLES[error.code] ?? 'Error'}</strong>
      <div className="error-message">{error.message}</div>
      {error.hint && <div className="error-hint">{error.hint}</div>}
      {onDismiss && (
        <button className="link" onClick={onDismiss}>
          Dismiss
        </button>
      )}
    </div>
  );
}
