import { WalscopeError } from '../../shared/errors';
import { maxPgoutputProtoVersion, quoteIdent } from './commands';

/**
 * pgoutput's START_REPLICATION options: defaults that follow the protocol version asked for, the
 * user's options over them, and the combinations the server would refuse caught here, before
 * START_REPLICATION, with a sentence saying what to change. Rules: pgoutput.c
 * (parse_output_parameters, pgoutput_startup) and
 * https://www.postgresql.org/docs/current/protocol-logical-replication.html#PROTOCOL-LOGICAL-REPLICATION-PARAMS
 */

/** Server version each option appeared in; options not listed are passed through for the server to judge. */
const SINCE: Record<string, number> = {
  binary: 140000,
  messages: 140000,
  streaming: 140000,
  two_phase: 150000,
  origin: 160000,
};

function invalid(message: string, hint: string): WalscopeError {
  return new WalscopeError({ code: 'INVALID_ARGUMENT', message, hint });
}

function major(serverVersionNum: number): number {
  return Math.floor(serverVersionNum / 10000);
}

/** pgoutput reads option values as strings: defGetBoolean takes true/false/on/off, any case. */
function boolean(name: string, value: string): boolean {
  if (/^(true|on)$/i.test(value)) return true;
  if (/^(false|off)$/i.test(value)) return false;
  throw invalid(
    `pgoutput option ${name}=${value} is not a boolean`,
    `Use --option ${name}=on or --option ${name}=off.`,
  );
}

type Streaming = 'off' | 'on' | 'parallel';

function streamingMode(value: string): Streaming {
  if (/^parallel$/i.test(value)) return 'parallel';
  return boolean('streaming', value) ? 'on' : 'off';
}

function protoVersion(text: string, serverVersionNum: number): number {
  const max = maxPgoutputProtoVersion(serverVersionNum);
  const n = /^\d{1,3}$/.test(text) ? Number(text) : NaN;
  if (!(n >= 1 && n <= max)) {
    throw invalid(
      `pgoutput option proto_version=${text}: PostgreSQL ${major(serverVersionNum)} speaks pgoutput protocol 1 to ${max}`,
      `Use --option proto_version=1 to ${max}, or leave it out for ${max}.`,
    );
  }
  return n;
}

/**
 * The defaults: the highest protocol the server speaks (or the one asked for), logical messages
 * on (14+), and in-progress streaming as far as that protocol allows — off for 1, on for 2–3,
 * parallel for 4 (16+; parallel only adds the abort LSN and time to Stream Abort) — so a huge
 * transaction flows through instead of being spilled and sent at commit. `two_phase` and `origin`
 * are never defaulted: two_phase on a slot used directly marks it two-phase for good, and
 * origin's default (any) is the server's own.
 */
export function pgoutputOptions(
  serverVersionNum: number,
  publications: readonly string[],
  overrides: Readonly<Record<string, string>>,
): Record<string, string> {
  for (const name of Object.keys(overrides)) {
    const since = SINCE[name];
    if (since !== undefined && serverVersionNum < since) {
      throw invalid(
        `pgoutput option ${name} needs PostgreSQL ${major(since)} or later; this server is ${major(serverVersionNum)}`,
        `Leave --option ${name} out on this server.`,
      );
    }
  }
  const proto = protoVersion(
    overrides['proto_version'] ?? String(maxPgoutputProtoVersion(serverVersionNum)),
    serverVersionNum,
  );
  const options: Record<string, string> = {
    proto_version: String(proto),
    publication_names: publications.map(quoteIdent).join(','),
  };
  if (serverVersionNum >= 140000) options['messages'] = 'true';
  if (proto >= 4) options['streaming'] = 'parallel';
  else if (proto >= 2) options['streaming'] = 'on';
  Object.assign(options, overrides);
  checkCombination(options, proto);
  return options;
}

function checkCombination(options: Record<string, string>, proto: number): void {
  for (const name of ['binary', 'messages', 'two_phase']) {
    if (options[name] !== undefined) boolean(name, options[name]);
  }
  const streaming = options['streaming'] !== undefined ? streamingMode(options['streaming']) : 'off';
  if (streaming === 'on' && proto < 2) {
    throw invalid(
      `pgoutput proto_version=${proto} does not support streaming (protocol 2 or later does)`,
      'Add --option streaming=off, or use --option proto_version=2 or later.',
    );
  }
  if (streaming === 'parallel' && proto < 4) {
    throw invalid(
      `pgoutput proto_version=${proto} does not support streaming=parallel (protocol 4 does)`,
      'Use --option streaming=on, or --option proto_version=4 (PostgreSQL 16 or later).',
    );
  }
  if (options['two_phase'] !== undefined && boolean('two_phase', options['two_phase']) && proto < 3) {
    throw invalid(
      `pgoutput proto_version=${proto} does not support two_phase (protocol 3 or later does)`,
      'Use --option proto_version=3 or later with two_phase, or leave two_phase out.',
    );
  }
  const origin = options['origin'];
  if (origin !== undefined && !/^(any|none)$/i.test(origin)) {
    throw invalid(
      `pgoutput option origin=${origin}: expected any or none`,
      'Use --option origin=any or --option origin=none.',
    );
  }
}
