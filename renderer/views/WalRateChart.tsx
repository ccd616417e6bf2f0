import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { humanBytes } from '../lib/format';
import { lastSeconds, useUplot } from '../lib/use-uplot';
import { useWal, type RateSeries } from '../stores/wal-store';

/** Checkpoints (solid blue) and segment switches (dashed grey) as vertical lines in the plot area. */
function drawMarks(u: uPlot, rateSeries: RateSeries): void {
  const ctx = u.ctx;
  ctx.save();
  for (const m of rateSeries.marks) {
    const x = u.valToPos(m.at / 1000, 'x', true);
    if (x < u.bbox.left || x > u.bbox.left + u.bbox.width) continue;
    ctx.strokeStyle = m.checkpoints ? '#2563eb' : '#9ca3af';
    ctx.setLineDash(m.checkpoints ? [] : [4, 3]);
    ctx.beginPath();
    ctx.moveTo(x, u.bbox.top);
    ctx.lineTo(x, u.bbox.top + u.bbox.height);
    ctx.stroke();
  }
  ctx.restore();
}

function rateOptions(
  width: number,
  height: number,
  windowSeconds: () => number,
  rateSeries: RateSeries,
): uPlot.Options {
  return {
    width,
    height,
    legend: { live: true },
    cursor: { drag: { x: false, y: false } },
    scales: {
      x: { time: true, range: () => [Date.now() / 1000 - windowSeconds(), Date.now() / 1000] },
      y: { auto: true, range: (_u, _min, max) => [0, Math.max(1, max)] },
    },
    axes: [{}, { values: (_u, ticks) => ticks.map((t) => `${humanBytes(t)}/s`), size: 80 }],
    series: [
      { label: 'time' },
      {
        label: 'WAL',
        stroke: '#3b82f6',
        fill: 'rgba(59,130,246,0.12)',
        width: 2,
        value: (_u, v) => `${humanBytes(v)}/s`,
      },
      { label: 'full-page images', stroke: '#f59e0b', width: 1.5, value: (_u, v) => `${humanBytes(v)}/s` },
    ],
    hooks: { draw: [(u) => drawMarks(u, rateSeries)] },
  };
}

/**
 * WAL bytes per second and the full-page-image part of it, one point a second; checkpoints (blue)
 * and segment switches (grey) marked as vertical lines. Created once, fed with setData.
 */
export function WalRateChart({ seconds, height = 170 }: { seconds: number; height?: number }) {
  const host = useRef<HTMLDivElement>(null);
  // The x range is the chosen window ending now, whatever few points there are yet.
  const windowRef = useRef(seconds);
  windowRef.current = seconds;
  const version = useWal((s) => s.statsVersion);
  const rateSeries = useWal((s) => s.rateSeries);
  const plot = useUplot(host, (width) => rateOptions(width, height, () => windowRef.current, rateSeries), [
    height,
    rateSeries,
  ]);

  useEffect(() => {
    const p = plot.current;
    if (!p) return;
    p.setData(lastSeconds(rateSeries.t, [rateSeries.bytes, rateSeries.fpi], seconds));
  }, [plot, version, seconds, rateSeries]);

  return <div className="lag-chart" ref={host} data-testid="wal-rate-chart" />;
}
