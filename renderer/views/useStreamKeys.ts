import { useEffect, type RefObject } from 'react';
import { useSessionScope } from '../stores/session-context';
import { nextTransaction, type RowView } from '../stores/stream-store';

/**
 * The stream tab's keys, ignored while typing in a field: `/` focuses the filter, space pauses or
 * resumes, j/k select the next/previous transaction and scroll it into view (which stops following).
 * Only the server shown in the window listens: the others' stream views stay mounted, hidden.
 */
export function useStreamKeys(
  list: RowView,
  selectedIndex: number,
  scrollToIndex: (i: number, align: 'center') => void,
  filterBox: RefObject<HTMLInputElement | null>,
): void {
  const { stores, active } = useSessionScope();
  const stream = stores.stream;
  useEffect(() => {
    if (!active) return;
    const onKey = (e: KeyboardEvent): void => {
      const tag = (e.target as HTMLElement).tagName;
      if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return;
      if (e.key === '/') {
        e.preventDefault();
        filterBox.current?.focus();
      } else if (e.key === ' ') {
        e.preventDefault();
        stream.getState().setPaused(!stream.getState().paused);
      } else if (e.key === 'j' || e.key === 'k') {
        const i = nextTransaction(list, selectedIndex, e.key === 'j' ? 1 : -1);
        if (i !== selectedIndex && i >= 0 && i < list.length) {
          stream.getState().select(list.at(i).seq);
          stream.getState().setFollow(false);
          scrollToIndex(i, 'center');
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [active, stream, list, selectedIndex, scrollToIndex, filterBox]);
}
