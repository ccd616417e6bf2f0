import type { Tuple, TupleValue } from '../../shared/messages';
import { tupleOf, tupleValue } from '../../shared/tuple';

/** The value of column `name` in a row image. */
export const col = (t: Tuple, name: string): TupleValue | undefined => tupleValue(t, name);

/** An expected row image from an object literal (plain names only: integer-like keys reorder). */
export const row = (o: Record<string, TupleValue>): Tuple => tupleOf(Object.entries(o));
