import { useEffect, useRef, type RefObject } from 'react';
import uPlot from 'uplot';

/**
 * One uPlot instance in `host`, created when `deps` change (never per tick: a new options object
 * would rebuild the chart), resized with its element and destroyed on unmount. Feed it with
 * `plot.current.setData`.
 */
export function useUplot(
  host: RefObject<HTMLDivElement | null>,
  options: (width: number) => uPlot.Options,
  deps: readonly unknown[],
): RefObject<uPlot | null> {
  const plot = useRef<uPlot | null>(null);
  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const opts = themedAxes(options(el.clientWidth || 600));
    const p = new uPlot(opts, [[], [], []], el);
    plot.current = p;
    const ro = new ResizeObserver(() => p.setSize({ width: el.clientWidth || 600, height: opts.height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      p.destroy();
      plot.current = null;
    };
    // The caller names what the options depend on; `options` itself is a new function each render.
  }, deps);
  return plot;
}

/** The page's text color now: uPlot calls this on every redraw, so a scheme change follows. */
function axisColor(): string {
  return getComputedStyle(document.documentElement).getPropertyValue('--muted').trim() || '#667085';
}

/** Axis labels in the theme's color (uPlot paints them black on its canvas, unreadable in dark mode). */
function themedAxes(opts: uPlot.Options): uPlot.Options {
  return opts.axes ? { ...opts, axes: opts.axes.map((a) => ({ stroke: axisColor, ...a })) } : opts;
}

/** The points of columnar series newer than `seconds` ago, for setData. */
export function lastSeconds(t: number[], columns: (number | null)[][], seconds: number): uPlot.AlignedData {
  const from = Date.now() / 1000 - seconds;
  let i = 0;
  while (i < t.length && t[i]! < from) i++;
  return [t.slice(i), ...columns.map((c) => c.slice(i))] as uPlot.AlignedData;
}
