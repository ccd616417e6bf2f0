import { useEffect, useRef } from 'react';
import uPlot from 'uplot';
import 'uplot/dist/uPlot.min.css';
import { humanBytes } from '../lib/format';
import { rateSeries, useWal } from '../stores/wal-store';

/**
 * WAL bytes per second and the full-page-image part of it, one point a second; checkpoints (blue)
 * and segment switches (grey) marked as vertical lines. Created once, fed with setData.
 */
export function WalRateChart({ seconds, height = 170 }: { seconds: number; height?: number }) {
  const host = useRef<HTMLDivElement>(null);
  // The x range is the chosen window ending now, whatever few points there are yet.
  const windowRef = useRef(seconds);
  windowRef.current = seconds;
  const plot = useRef<uPlot | null>(null);
  const version = useWal((s) => s.statsVersion);

  useEffect(() => {
    const el = host.current;
    if (!el) return;
    const drawMarks = (u: uPlot): void => {
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
    };
    const p = new uPlot(
      {
        width: el.clientWidth || 600,
        height,
        legend: { live: true },
        cursor: { drag: { x: false, y: false } },
        scales: {
          x: { time: true, range: () => [Date.now() / 1000 - windowRef.current, Date.now() / 1000] },
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
        hooks: { draw: [drawMarks] },
      },
      [[], [], []],
      el,
    );
    plot.current = p;
    const ro = new ResizeObserver(() => p.setSize({ width: el.clientWidth || 600, height }));
    ro.observe(el);
    return () => {
      ro.disconnect();
      p.destroy();
      plot.current = null;
    };
  }, [height]);

  useEffect(() => {
    const p = plot.current;
    if (!p) return;
    const from = Date.now() / 1000 - seconds;
    let i = 0;
    while (i < rateSeries.t.length && rateSeries.t[i]! < from) i++;
    p.setData([rateSeries.t.slice(i), rateSeries.bytes.slice(i), rateSeries.fpi.slice(i)] as uPlot.AlignedData);
  }, [version, seconds]);

  return <div className="lag-chart" ref={host} data-testid="wal-rate-chart" />;
}
