import { WalscopeError } from '../../shared/errors';

/**
 * synchronous_standby_names can name WALscope's own connection as a synchronous standby: with
 * `*`, or a name equal to our application_name. An inspector reports flush = 0, so if the server
 * picked it, every commit on the primary would wait for it — the opposite of "do no harm".
 * https://www.postgresql.org/docs/current/runtime-config-replication.html#GUC-SYNCHRONOUS-STANDBY-NAMES
 */
export function parseSyncStandbyNames(value: string): string[] {
  let v = value.trim();
  if (!v) return [];
  // FIRST n (…), ANY n (…), or the older n (…): the names are inside the parentheses.
  const m = /^(?:(?:FIRST|ANY)\s+)?\d+\s*\((.*)\)\s*$/is.exec(v);
  if (m) v = m[1]!;
  const names: string[] = [];
  const re = /\s*("((?:[^"]|"")*)"|[^,]+)\s*(?:,|$)/gy;
  let match: RegExpExecArray | null;
  while (re.lastIndex < v.length && (match = re.exec(v)) !== null) {
    if (match[2] !== undefined) names.push(match[2].replace(/""/g, '"'));
    else names.push(match[1]!.trim().toLowerCase());
    if (match[0] === '') break;
  }
  return names.filter((n) => n !== '');
}

/** True when the server could choose a walsender with this application_name as synchronous. */
export function couldBeSynchronous(setting: string, applicationName: string): boolean {
  return parseSyncStandbyNames(setting).some(
    (n) => n === '*' || n === applicationName || n === applicationName.toLowerCase(),
  );
}

/** Something that runs a replication command (a ReplicationConnection). */
interface CommandRunner {
  run(sql: string): Promise<{ rows: readonly (readonly unknown[])[] }>;
}

/** Refuses (UNSAFE) to stream when the server could pick this connection as a synchronous standby. */
export async function refuseIfSynchronousCandidate(conn: CommandRunner, applicationName: string): Promise<void> {
  const setting = String((await conn.run('SHOW synchronous_standby_names')).rows[0]?.[0] ?? '');
  if (couldBeSynchronous(setting, applicationName)) {
    throw new WalscopeError({
      code: 'UNSAFE',
      message: `synchronous_standby_names = '${setting}' could make this connection ("${applicationName}") a synchronous standby; it never confirms a flush, so commits on the server would wait for it`,
      hint: 'List your standbys by name in synchronous_standby_names (no *), or connect with an application_name it does not list.',
    });
  }
}
