import { createElement } from 'react';
import { renderToStaticMarkup } from 'react-dom/server';
import { describe, expect, it } from 'vitest';
import type { DecodedMessage, TupleValue } from '../../shared/messages';
import { tupleOf } from '../../shared/tuple';
import { toWireRow } from '../../shared/wire-row';
import { SessionContext } from '../stores/session-context';
import { SessionRegistry } from '../stores/session-registry';
import { StreamDetail } from '../views/StreamDetail';
import { EMPTY_FILTER, matches } from './filters';
import { messageOf, ndjsonParts } from './row-message';

// Column names a JS object would lose (`__proto__`) or reorder (integer-like), and quoting.
const NAMES = ['__proto__', '1', '2', 'constructor', 'a"b', 'id'];
const values = (tag: string): TupleValue[] => [`${tag}p`, `${tag}one`, null, `${tag}c`, `${tag}q`, '7'];
const update: DecodedMessage = {
  type: 'update',
  lsn: 0x20n,
  xid: 9,
  relationId: 1,
  schema: 'public',
  table: 'odd',
  old: { names: NAMES, values: values('o') },
  new: { names: NAMES, values: values('n') },
};
const row = toWireRow(update, 4);

describe('rows with odd column names in the view', () => {
  it('the parsed message keeps every column once, in relation order, with its value', () => {
    const m = messageOf(row);
    expect(m['new']).toEqual(tupleOf(NAMES.map((n, i): [string, TupleValue] => [n, values('n')[i]!])));
    expect(m['old']).toEqual({ names: NAMES, values: values('o') });
  });

  it('the summary lists the first columns in relation order', () => {
    expect(row.summary).toBe('__proto__=op 1=oone … → __proto__=np 1=none 2=NULL constructor=nc …');
  });

  it('the text filter finds a column by its name and value, also past the summary', () => {
    expect(matches(row, { ...EMPTY_FILTER, text: '"__proto__":"np"' })).toBe(true);
    expect(matches(row, { ...EMPTY_FILTER, text: 'a\\"b":"nq' })).toBe(true);
    expect(matches(row, { ...EMPTY_FILTER, text: '"1":"none","2":null' })).toBe(true);
    expect(matches(row, { ...EMPTY_FILTER, text: '"2":"none"' })).toBe(false);
  });

  it('NDJSON export writes each row object with the keys in relation order', () => {
    const text = ndjsonParts({ length: 1, at: () => row }).join('');
    expect(text).toContain(
      '"new":{"__proto__":"np","1":"none","2":null,"constructor":"nc","a\\"b":"nq","id":"7"},"seq":4}\n',
    );
    expect(text.split('\n')).toHaveLength(2);
  });

  it('the detail pane shows one table row per column, in relation order, old and new side by side', () => {
    const scope = { sessionId: 's', stores: new SessionRegistry().ensure('s'), active: true };
    const html = renderToStaticMarkup(
      createElement(SessionContext.Provider, { value: scope }, createElement(StreamDetail, { m: messageOf(row) })),
    );
    const cells = [
      ...html.matchAll(
        /<tr><td class="mono">(.*?)<\/td><td class="mono ?(?:null)? ?">(.*?)<\/td><td class="mono ?(?:null)? ?">(.*?)<\/td><\/tr>/g,
      ),
    ];
    expect(cells.map((c) => [c[1], c[2], c[3]])).toEqual([
      ['__proto__', 'op', 'np'],
      ['1', 'oone', 'none'],
      ['2', 'NULL', 'NULL'],
      ['constructor', 'oc', 'nc'],
      ['a&quot;b', 'oq', 'nq'],
      ['id', '7', '7'],
    ]);
  });
});
