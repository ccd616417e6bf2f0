import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { humanBytes, humanDuration } from '../lib/format';
import { lastSeconds, useUplot } from '../lib/use-uplot';
import { useMonitor } from '../stores/monitor-store';

const WINDOWS = [
  { label: '1 min', seconds: 60 },
  { label: '15 min', seconds: 900 },
  { label: '1 h', seconds: 3600 },
] as const;

/** Bytes on the left axis, the server's time lag on the right; the legend shows the LSN under the cursor. */
function lagOptions(width: number, height: number, lsnAt: (i: number | null | undefined) => string): uPlot.Options {
  return {
    width,
    height,
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true },
      bytes: { auto: true, range: (_u, min, max) => [Math.min(0, min), Math.max(1, max)] },
      ms: { auto: true },
    },
    axes: [
      {},
      { scale: 'bytes', values: (_u, ticks) => ticks.map((t) => humanBytes(t)), size: 70 },
      {
        scale: 'ms',
        side: 1,
        values: (_u, ticks) => ticks.map((t) => humanDuration(t)),
        grid: { show: false },
        size: 70,
      },
    ],
    series: [
      {
        label: 'time',
        value: (_u, v, _s, i) => (v ? `${new Date(v * 1000).toLocaleTimeString()} · LSN ${lsnAt(i)}` : ''),
      },
      { label: 'lag bytes', scale: 'bytes', stroke: '#3b82f6', width: 2, value: (_u, v) => humanBytes(v) },
      { label: 'time lag', scale: 'ms', stroke: '#f59e0b', width: 1.5, value: (_u, v) => humanDuration(v) },
    ],
  };
}

/**
 * A live lag chart: bytes on the left axis, the server's time lag on the right where it gives one.
 * The uPlot instance is created once per series/window; each tick only calls setData (a new
 * options object would rebuild the chart). Hover shows the exact LSN in the legend.
 */
export function LagChart({
  series,
  windowSeconds,
  height = 180,
}: {
  series: string;
  windowSeconds: number;
  height?: number;
}) {
  const host = useRef<HTMLDivElement>(null);
  const version = useMonitor((s) => s.lagVersion);
  const lagSeries = useMonitor((s) => s.lagSeries);
  const lsnAt = (i: number | null | undefined): string => {
    const s = lagSeries.get(series);
    return i === null || i === undefined ? '' : (s?.lsn[i] ?? '—');
  };
  const plot = useUplot(host, (width) => lagOptions(width, height, lsnAt), [series, height]);

  useEffect(() => {
    const s = lagSeries.get(series);
    const p = plot.current;
    if (!p || !s) return;
    p.setData(lastSeconds(s.t, [s.bytes, s.timeLagMs], windowSeconds));
  }, [plot, version, series, windowSeconds, lagSeries]);

  return <div className="lag-chart" ref={host} data-testid={`lag-chart-${series}`} />;
}

export function WindowSelector({ value, onChange }: { value: number; onChange: (s: number) => void }) {
  return (
    <div className="segmented" role="group" aria-label="Time window">
      {WINDOWS.map((w) => (
        <button
          key={w.seconds}
          className={w.seconds === value ? 'on' : ''}
          aria-pressed={w.seconds === value}
          onClick={() => onChange(w.seconds)}
        >
          {w.label}
        </button>
      ))}
    </div>
  );
}
