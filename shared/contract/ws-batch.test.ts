import { describe, expect, it } from 'vitest';
import type { WireRow } from './dto';
import { encodeBatchFrame, parseServerFrame, type BatchPayload } from './ws-batch';

const row = (seq: number, json: string, summary = 's'): WireRow => ({
  seq,
  type: 'insert',
  lsn: '0/1',
  xid: 7,
  rel: 'public.t',
  summary,
  json,
});

describe('spliced stream.batch frames', () => {
  const payload: BatchPayload = {
    sessionId: 'a',
    streamId: 'b',
    dropped: 3,
    rows: [
      row(1, '{"type":"insert","new":{"a\\"b":"x\\ny","__proto__":"1"}}', 'line\nbreak "q"'),
      row(2, '{"v":"é 中文 😀 \u2028"}'),
      row(3, ''),
    ],
  };

  it('carry each row JSON text verbatim (not escaped again) and parse back to the same event', () => {
    const text = encodeBatchFrame('stream.batch', payload);
    for (const r of payload.rows) expect(text).toContain(r.json);
    expect(text).not.toContain(JSON.stringify(payload.rows[0]!.json));
    expect(parseServerFrame(text)).toEqual({ kind: 'event', name: 'stream.batch', payload });
  });

  it('leave ordinary frames as JSON', () => {
    const frame = { kind: 'result', id: 1, result: { ok: true, value: 'x\ny' } };
    expect(parseServerFrame(JSON.stringify(frame))).toEqual(frame);
  });

  it('refuse a frame whose lengths do not add up', () => {
    const text = encodeBatchFrame('stream.batch', payload);
    expect(() => parseServerFrame(`${text}x`)).toThrow('malformed batch frame');
    expect(() => parseServerFrame(text.replace('"jsonLengths":[', '"jsonLengths":[1,'))).toThrow(
      'malformed batch frame',
    );
  });
});
