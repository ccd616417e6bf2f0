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
