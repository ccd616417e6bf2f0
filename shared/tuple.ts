/**
 * Reading and writing row images (`Tuple`: names shared per relation + values, in column order).
 * Never turn a tuple into an object keyed by column name: `__proto__` would vanish and
 * integer-like names would be reordered. Decision 0009.
 */
import type { Tuple, TupleValue } from './messages';

export const EMPTY_TUPLE: Tuple = Object.freeze({ names: Object.freeze([]), values: Object.freeze([]) });

/** Builds a tuple from `[name, value]` pairs, in their order (tests, parsers of text output). */
export function tupleOf(entries: readonly (readonly [string, TupleValue])[]): Tuple {
  return { names: entries.map(([n]) => n), values: entries.map(([, v]) => v) };
}

/** `[name, value]` pairs in column order. */
export function tupleEntries(t: Tuple): [string, TupleValue][] {
  return t.names.map((n, i) => [n, t.values[i]!]);
}

/** The value of column `name`, or undefined when the tuple has no such column. */
export function tupleValue(t: Tuple, name: string): TupleValue | undefined {
  const i = t.names.indexOf(name);
  return i < 0 ? undefined : t.values[i];
}

/** A structural check for the edge forms (parsed JSON, IPC), where types are not known statically. */
export function isTuple(v: unknown): v is Tuple {
  if (typeof v !== 'object' || v === null) return false;
  const t = v as { names?: unknown; values?: unknown };
  return Array.isArray(t.names) && Array.isArray(t.values) && t.names.length === t.values.length;
}

const UNCHANGED_TOAST_JSON = '{"unchangedToast":true}';

/** One value as JSON text: a string, null, `{"unchangedToast":true}` or `{"binary":"<hex>"}`. */
export function tupleValueJson(v: TupleValue): string {
  if (v === null) return 'null';
  if (typeof v === 'string') return JSON.stringify(v);
  if ('unchangedToast' in v) return UNCHANGED_TOAST_JSON;
  return `{"binary":${JSON.stringify(v.binary)}}`;
}

// `"name":` fragments, prepared once per relation's names array (pgoutput shares one per relation).
const keyFragments = new WeakMap<readonly string[], string[]>();

function fragmentsOf(names: readonly string[]): string[] {
  let f = keyFragments.get(names);
  if (f === undefined) {
    f = names.map((n) => `${JSON.stringify(n)}:`);
    keyFragments.set(names, f);
  }
  return f;
}

/**
 * The tuple as JSON object text, `{"col":value,…}` with the keys in column order. JSON text keeps
 * order and any key (`__proto__` included), unlike a JS object: this is the NDJSON and wire form.
 */
export function tupleJson(t: Tuple): string {
  const keys = fragmentsOf(t.names);
  let out = '{';
  for (let i = 0; i < keys.length; i++) {
    if (i > 0) out += ',';
    out += keys[i]! + tupleValueJson(t.values[i]!);
  }
  return out + '}';
}
