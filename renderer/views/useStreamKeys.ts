import { useEffect, type RefObject } from 'react';
import { nextTransaction, useStream, type RowView } from '../stores/stream-store';

/**
 * The stream tab's keys, ignored while typing in a field: `/` focuses the filter, space pauses or
 * resumes, j/k select the next/previous transaction and scroll it into view (which stops following).
 */
export function useStreamKeys(
  list: RowView,
  selectedIndex: number,
  scrollToIndex: (i: number, align: 'center') => void,
  filterBox: RefObject<HTMLInputElement | null>,
): void {
  useEffect(() => {
    const onKey = (e: KeyboardEvent): void => {
      const tag = (e.target as HTMLElement).tagName;
      if (tag === 'INPUT' || tag === 'SELECT' || tag === 'TEXTAREA') return;
      if (e.key === '/') {
        e.preventDefault();
        filterBox.current?.focus();
      } else if (e.key === ' ') {
        e.preventDefault();
        useStream.getState().setPaused(!useStream.getState().paused);
      } else if (e.key === 'j' || e.key === 'k') {
        const i = nextTransaction(list, selectedIndex, e.key === 'j' ? 1 : -1);
        if (i !== selectedIndex && i >= 0 && i < list.length) {
          useStream.getState().select(list.at(i).seq);
          useStream.getState().setFollow(false);
          scrollToIndex(i, 'center');
        }
      }
    };
    window.addEventListener('keydown', onKey);
    return () => window.removeEventListener('keydown', onKey);
  }, [list, selectedIndex, scrollToIndex, filterBox]);
}
