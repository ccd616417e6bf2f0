/**
 * Errors a user can cause carry a stable code and a sentence saying what to do. Across IPC and in
 * CLI output they travel as `ErrorInfo` (thrown errors lose everything but the message there).
 */
export const ERROR_CODES = [
  'CONNECTION', // server unreachable, connection refused or lost
  'AUTH', // wrong password, no pg_hba entry
  'PRIVILEGE', // role lacks REPLICATION or another privilege
  'WAL_LEVEL', // wal_level is not logical
  'SLOT_EXISTS',
  'SLOT_NOT_FOUND',
  'SLOT_IN_USE', // "replication slot ... is active for PID ..."
  'SLOT_LIMIT', // max_replication_slots / max_wal_senders reached
  'INVALID_ARGUMENT', // bad slot name, LSN, option, DSN
  'UNSUPPORTED', // the server version lacks the feature
  'PROTOCOL', // malformed bytes from the server
  'DECODE', // a decoder could not make sense of a message
  'SERVER', // any other server error (carries SQLSTATE)
  'TIMEOUT',
  'CANCELLED',
  'UNSAFE', // refused because it could harm the server (e.g. become a synchronous standby)
  'LIMIT', // refused by a WALscope limit that keeps capacity for others (walsender reserve, per-client caps)
  'CONTRACT', // the page and the engine speak different contract versions
  'INTERNAL',
] as const;

export type ErrorCode = (typeof ERROR_CODES)[number];

export interface ErrorInfo {
  code: ErrorCode;
  message: string;
  /** What the user can do about it. */
  hint?: string;
  /** SQLSTATE of the server error behind it, if any. */
  sqlstate?: string;
  /** Text LSN (`X/X`) of the WAL record being processed, when one applies. */
  lsn?: string;
  /** Byte offset inside the message being parsed, when one applies. */
  offset?: number;
}

export class WalscopeError extends Error {
  readonly code: ErrorCode;
  readonly hint: string | undefined;
  readonly sqlstate: string | undefined;
  readonly lsn: string | undefined;
  readonly offset: number | undefined;

  constructor(info: ErrorInfo, options?: { cause?: unknown }) {
    super(info.message, options);
    this.name = 'WalscopeError';
    this.code = info.code;
    this.hint = info.hint;
    this.sqlstate = info.sqlstate;
    this.lsn = info.lsn;
    this.offset = info.offset;
  }

  toInfo(): ErrorInfo {
    const info: ErrorInfo = { code: this.code, message: this.message };
    if (this.hint !== undefined) info.hint = this.hint;
    if (this.sqlstate !== undefined) info.sqlstate = this.sqlstate;
    if (this.lsn !== undefined) info.lsn = this.lsn;
    if (this.offset !== undefined) info.offset = this.offset;
    return info;
  }
}

/** Result envelope for every request that crosses a process or transport boundary. */
export type Result<T> = { ok: true; value: T } | { ok: false; error: ErrorInfo };

export function ok<T>(value: T): Result<T> {
  return { ok: true, value };
}

export function fail<T = never>(error: ErrorInfo): Result<T> {
  return { ok: false, error };
}
