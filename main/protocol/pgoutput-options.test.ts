import { describe, expect, it } from 'vitest';
import { WalscopeError } from '../../shared/errors';
import { pgoutputOptions } from './pgoutput-options';

const refused = (fn: () => unknown, message: RegExp): void => {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(WalscopeError);
    expect((e as WalscopeError).code).toBe('INVALID_ARGUMENT');
    expect((e as WalscopeError).message).toMatch(message);
    expect((e as WalscopeError).hint).toBeTruthy();
    return;
  }
  throw new Error('expected a refusal');
};

describe('pgoutput options', () => {
  it('defaults to the highest protocol per server, streaming as far as it allows', () => {
    expect(pgoutputOptions(180000, ['p'], {})).toEqual({
      proto_version: '4',
      publication_names: '"p"',
      messages: 'true',
      streaming: 'parallel',
    });
    expect(pgoutputOptions(150000, ['p'], {})).toMatchObject({ proto_version: '3', streaming: 'on' });
    expect(pgoutputOptions(140000, ['p'], {})).toMatchObject({ proto_version: '2', streaming: 'on' });
    expect(pgoutputOptions(130000, ['p'], {})).toEqual({ proto_version: '1', publication_names: '"p"' });
  });

  it('streaming follows the proto_version asked for: 1 off, 2–3 on, 4 parallel', () => {
    expect(pgoutputOptions(180000, ['p'], { proto_version: '1' })).not.toHaveProperty('streaming');
    expect(pgoutputOptions(180000, ['p'], { proto_version: '2' })['streaming']).toBe('on');
    expect(pgoutputOptions(180000, ['p'], { proto_version: '3' })['streaming']).toBe('on');
    expect(pgoutputOptions(180000, ['p'], { proto_version: '4' })['streaming']).toBe('parallel');
    expect(pgoutputOptions(150000, ['p'], { proto_version: '1' })).not.toHaveProperty('streaming');
  });

  it('explicit options win; what the server would refuse is refused first, with a hint', () => {
    expect(pgoutputOptions(180000, ['p'], { proto_version: '1', streaming: 'off' })['streaming']).toBe('off');
    expect(pgoutputOptions(180000, ['p'], { streaming: 'on', two_phase: 'on' })).toMatchObject({
      streaming: 'on',
      two_phase: 'on',
    });
    refused(
      () => pgoutputOptions(180000, ['p'], { proto_version: '1', streaming: 'on' }),
      /does not support streaming/,
    );
    refused(() => pgoutputOptions(180000, ['p'], { proto_version: '3', streaming: 'parallel' }), /parallel/);
    refused(() => pgoutputOptions(180000, ['p'], { proto_version: '2', two_phase: 'true' }), /two_phase/);
    refused(() => pgoutputOptions(150000, ['p'], { proto_version: '4' }), /protocol 1 to 3/);
    refused(() => pgoutputOptions(180000, ['p'], { proto_version: '0' }), /protocol 1 to 4/);
    refused(() => pgoutputOptions(180000, ['p'], { proto_version: 'two' }), /protocol 1 to 4/);
    refused(() => pgoutputOptions(150000, ['p'], { origin: 'none' }), /origin needs PostgreSQL 16/);
    refused(() => pgoutputOptions(140000, ['p'], { two_phase: 'off' }), /two_phase needs PostgreSQL 15/);
    refused(() => pgoutputOptions(180000, ['p'], { origin: 'local' }), /any or none/);
    refused(() => pgoutputOptions(180000, ['p'], { binary: 'yes' }), /not a boolean/);
    expect(pgoutputOptions(180000, ['p'], { two_phase: 'off', proto_version: '1' })['two_phase']).toBe('off');
  });

  it('quotes each publication as one identifier in publication_names (SplitIdentifierString)', () => {
    expect(pgoutputOptions(180000, ['a,b', 'q"p', 'Upper Case'], {})['publication_names']).toBe(
      '"a,b","q""p","Upper Case"',
    );
  });
});
