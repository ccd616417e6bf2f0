import { DEFAULT_WALSENDER_RESERVE, parseWalsenderReserve, type WalsenderReserve } from '../stream/walsender-reserve';
import { parseLsn, type Lsn } from '../../shared/lsn';
import { WalscopeError } from '../../shared/errors';

/**
 * A small argv parser: `--flag`, `--key value`, `--key=value`, repeatable keys, positionals.
 * Unknown flags are errors (a typo must not silently change what is done to a server).
 */
export interface ParsedArgs {
  positionals: string[];
  flags: Map<string, string[]>;
}

export interface FlagSpec {
  /** Flags that take no value. */
  booleans: readonly string[];
  /** Flags that take a value (may repeat). */
  values: readonly string[];
}

export function parseArgs(argv: readonly string[], spec: FlagSpec): ParsedArgs {
  const positionals: string[] = [];
  const flags = new Map<string, string[]>();
  const add = (k: string, v: string): void => {
    flags.set(k, [...(flags.get(k) ?? []), v]);
  };
  for (let i = 0; i < argv.length; i++) {
    const arg = argv[i]!;
    if (arg === '--') {
      positionals.push(...argv.slice(i + 1));
      break;
    }
    if (!arg.startsWith('--')) {
      positionals.push(arg);
      continue;
    }
    const eq = arg.indexOf('=');
    const name = arg.slice(2, eq < 0 ? undefined : eq);
    if (spec.booleans.includes(name)) {
      if (eq >= 0) throw usage(`--${name} takes no value`);
      add(name, 'true');
    } else if (spec.values.includes(name)) {
      const value = eq >= 0 ? arg.slice(eq + 1) : argv[++i];
      if (value === undefined) throw usage(`--${name} needs a value`);
      add(name, value);
    } else {
      throw usage(`unknown option --${name}`);
    }
  }
  return { positionals, flags };
}

export function flag(args: ParsedArgs, name: string): boolean {
  return args.flags.has(name);
}

export function value(args: ParsedArgs, name: string): string | undefined {
  const v = args.flags.get(name);
  return v ? v[v.length - 1] : undefined;
}

export function values(args: ParsedArgs, name: string): string[] {
  return args.flags.get(name) ?? [];
}

export function usage(message: string): WalscopeError {
  return new WalscopeError({ code: 'INVALID_ARGUMENT', message, hint: 'Run `walscope help` for usage.' });
}

/** An LSN flag (`--start`, `--endpos`): undefined when absent, a usage error when not X/X. */
export function lsnFlag(text: string | undefined, name: string): Lsn | undefined {
  if (text === undefined) return undefined;
  try {
    return parseLsn(text);
  } catch {
    throw usage(`--${name} ${JSON.stringify(text)} is not an LSN (expected X/X, e.g. 0/16B3748)`);
  }
}

/**
 * `--walsender-reserve N|auto`, else WALSCOPE_WALSENDER_RESERVE, else the default (20 %, at least
 * 2): the same for every command that holds a walsender (`stream`, `wal`).
 */
export function walsenderReserveFlag(args: ParsedArgs, env: NodeJS.ProcessEnv): WalsenderReserve {
  const flagText = value(args, 'walsender-reserve');
  const text = flagText ?? env['WALSCOPE_WALSENDER_RESERVE'];
  if (!text) return DEFAULT_WALSENDER_RESERVE;
  return parseWalsenderReserve(text, flagText ? '--walsender-reserve' : 'WALSCOPE_WALSENDER_RESERVE');
}
