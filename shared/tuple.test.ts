import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { DecodedMessage, TupleValue, UpdateMessage } from './messages';
import { UNCHANGED_TOAST } from './messages';
import { messageJson, toWireMessage } from './messages-json';
import { tupleOf, tupleValue } from './tuple';
import { parseMessageJson } from './wire-json';

const ODD: [string, TupleValue][] = [
  ['__proto__', 'p'],
  ['1', 'one'],
  ['2', null],
  ['constructor', 'c'],
  ['a"b', 'q"\\'],
  ['back\\slash', UNCHANGED_TOAST],
  ['ünï 🐘', { binary: '00ff' }],
  ['', 'empty name'],
  ['id', '7'],
];

const update = (): UpdateMessage => ({
  type: 'update',
  lsn: 0x10n,
  xid: 5,
  relationId: 1,
  schema: 'public',
  table: 'odd',
  key: tupleOf([['id', '6']]),
  new: tupleOf(ODD),
});

describe('row images in the edge forms', () => {
  it('messageJson writes each column once, in column order, as JSON object text', () => {
    expect(messageJson(update(), 3)).toBe(
      '{"type":"update","lsn":"0/10","xid":5,"relationId":1,"schema":"public","table":"odd","key":{"id":"6"},' +
        String.raw`"new":{"__proto__":"p","1":"one","2":null,"constructor":"c","a\"b":"q\"\\","back\\slash":{"unchangedToast":true},` +
        '"ünï 🐘":{"binary":"00ff"},"":"empty name","id":"7"},"seq":3}',
    );
  });

  it('parseMessageJson reads the row images back in text order, other fields as JSON.parse does', () => {
    const text = messageJson(update(), 3);
    const m = parseMessageJson(text);
    expect(m['new']).toEqual(tupleOf(ODD));
    expect(m['key']).toEqual(tupleOf([['id', '6']]));
    const { new: _n, key: _k, ...rest } = JSON.parse(text) as Record<string, unknown>;
    expect(Object.fromEntries(Object.entries(m).filter(([k]) => k !== 'new' && k !== 'key'))).toEqual(rest);
    const nested = parseMessageJson('{"type":"json","data":{"__proto__":[1,-2.5e3,true,false,null,"\\u00e9"]}}');
    expect(Object.keys(nested['data'] as object)).toEqual(['__proto__']);
    expect((nested['data'] as Record<string, unknown>)['__proto__']).toEqual([1, -2500, true, false, null, 'é']);
    expect(() => parseMessageJson('{"new":{"a":"b"}')).toThrow(SyntaxError);
    expect(() => parseMessageJson('{"a":1} x')).toThrow(SyntaxError);
  });

  it('toWireMessage keeps tuples as names and values, which survive JSON and structured clone', () => {
    const wire = toWireMessage(update(), 3);
    expect(wire).toMatchObject({ lsn: '0/10', seq: 3 });
    for (const copy of [JSON.parse(JSON.stringify(wire)) as typeof wire, structuredClone(wire)]) {
      expect(copy['new']).toEqual(tupleOf(ODD));
    }
    expect(tupleValue(update().new, '__proto__')).toBe('p');
    expect(tupleValue(update().new, 'missing')).toBeUndefined();
  });

  it('any column names and values round-trip text → tuple in order', () => {
    const name = fc.oneof(fc.constantFrom('__proto__', '1', '2', 'constructor', 'a"b', '\\', ''), fc.string());
    const value = fc.oneof(
      fc.string(),
      fc.constant(null),
      fc.constant(UNCHANGED_TOAST),
      fc.constantFrom('\u2028', '\ud800', '"\\/\n\t', '🐘').map((s) => s),
      fc.constantFrom('00ff', '').map((binary) => ({ binary })),
    );
    fc.assert(
      fc.property(fc.uniqueArray(name, { maxLength: 10 }), fc.array(value), (names, vals) => {
        const entries = names.map((n, i): [string, TupleValue] => [n, vals[i % Math.max(vals.length, 1)] ?? null]);
        const m: DecodedMessage = { ...update(), new: tupleOf(entries) };
        expect(parseMessageJson(messageJson(m))['new']).toEqual(tupleOf(entries));
      }),
    );
  });
});
