import { useCallback, useEffect, useLayoutEffect, useState, type RefObject } from 'react';

/**
 * Virtualization for rows of one fixed height. The profile of the stream view at 20,000 rows/s
 * showed a general-purpose virtualizer spending most of each frame re-measuring every row whenever
 * the count changed (O(rows held)); with a fixed height the visible range is arithmetic (O(rows
 * shown)) and nothing is measured.
 */
export function visibleRange(
  scrollTop: number,
  viewportHeight: number,
  count: number,
  rowHeight: number,
  overscan: number,
): { start: number; end: number } {
  const first = Math.floor(Math.max(0, scrollTop) / rowHeight);
  const shown = Math.ceil(viewportHeight / rowHeight) + 1;
  return { start: Math.max(0, first - overscan), end: Math.min(count, first + shown + overscan) };
}

/**
 * `pinToEnd` (follow the tail): the range is the last rows, computed from the count in the same
 * render, and the scroll position is set once after the DOM update. Deriving it from scroll events
 * instead cost a forced layout and a second render every frame at 20,000 rows/s.
 */
export function useFixedRows(
  ref: RefObject<HTMLElement | null>,
  count: number,
  rowHeight: number,
  offset = 0,
  overscan = 10,
  pinToEnd = false,
) {
  const [view, setView] = useState({ top: 0, height: 600 });
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    let frame = 0;
    const read = (): void => {
      frame = 0;
      const top = el.scrollTop;
      const height = el.clientHeight;
      // While pinned the range does not depend on the scroll position: no render for it.
      setView((v) => (v.height === height && (pinToEnd || v.top === top) ? v : { top, height }));
    };
    const onScroll = (): void => {
      if (!frame) frame = requestAnimationFrame(read);
    };
    el.addEventListener('scroll', onScroll, { passive: true });
    const ro = new ResizeObserver(onScroll);
    ro.observe(el);
    read();
    return () => {
      el.removeEventListener('scroll', onScroll);
      ro.disconnect();
      if (frame) cancelAnimationFrame(frame);
    };
  }, [ref, pinToEnd]);
  const totalSize = offset + count * rowHeight;
  useLayoutEffect(() => {
    // The browser clamps to the largest scroll position: the end. Again when the height changes:
    // rows that arrived while the list was hidden (another tab or server shown) could not scroll it.
    if (pinToEnd && ref.current) ref.current.scrollTop = totalSize;
  }, [ref, pinToEnd, totalSize, view.height]);
  const scrollToIndex = useCallback(
    (i: number, align: 'end' | 'center') => {
      const el = ref.current;
      if (!el) return;
      const top = offset + i * rowHeight;
      el.scrollTop = align === 'end' ? top + rowHeight - el.clientHeight : top - el.clientHeight / 2;
    },
    [ref, rowHeight, offset],
  );
  const top = pinToEnd ? Math.max(0, totalSize - view.height) : view.top;
  const { start, end } = visibleRange(top - offset, view.height, count, rowHeight, overscan);
  return { start, end, totalSize, scrollToIndex };
}

/**
 * The visible rows as (slot, index) pairs, in slot order, where slot = index mod the window size:
 * keyed by slot, the same row elements are reused as the tail moves and React only updates their
 * text and position, instead of unmounting every row and mounting new ones on each refresh (at
 * 20,000 rows/s the whole window is new rows every time).
 */
export function recycledSlots(start: number, end: number): [number, number][] {
  const count = end - start;
  return Array.from({ length: count }, (_, slot) => [slot, start + ((((slot - start) % count) + count) % count)]);
}
