import { formatLsn, type Lsn } from '../../shared/lsn';
import { WalscopeError } from '../../shared/errors';

export interface ProtocolErrorDetails {
  /** Message being parsed, e.g. "XLogData" or "pgoutput Insert". */
  message: string;
  /** Field being read when the bytes ran out or made no sense. */
  field: string;
  /** WAL position of the message, when known. */
  lsn?: Lsn;
  /** Byte offset inside the message. */
  offset: number;
  /** What was wrong, e.g. "needs 4 bytes, 2 left". */
  reason: string;
}

/**
 * The one error every parser throws on bad bytes. It names message, field, LSN and offset so a DBA
 * can find the record with pg_waldump, and it is a WalscopeError (code PROTOCOL or DECODE) so it
 * crosses IPC and the CLI as a typed error, never a stack trace.
 */
export class ProtocolError extends WalscopeError {
  readonly details: ProtocolErrorDetails;

  constructor(details: ProtocolErrorDetails, code: 'PROTOCOL' | 'DECODE' = 'PROTOCOL') {
    const at = details.lsn !== undefined ? ` at LSN ${formatLsn(details.lsn)}` : '';
    super({
      code,
      message: `${details.message}: ${details.field}: ${details.reason}${at}, byte offset ${details.offset}`,
      hint: 'The server sent bytes WALscope cannot parse; messages decoded before this one are kept.',
      ...(details.lsn !== undefined ? { lsn: formatLsn(details.lsn) } : {}),
      offset: details.offset,
    });
    this.name = 'ProtocolError';
    this.details = details;
  }
}
