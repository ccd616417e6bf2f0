import { humanBytes } from '../../shared/format';
import { cellText, relationOf, summaryOf } from '../../shared/wire-row';

export { cellText, humanBytes, relationOf, summaryOf };

export function humanDuration(ms: number | null | undefined): string {
  if (ms === null || ms === undefined || !Number.isFinite(ms)) return '—';
  if (ms < 1000) return `${Math.round(ms)} ms`;
  const s = ms / 1000;
  if (s < 60) return `${s.toFixed(s < 10 ? 1 : 0)} s`;
  const m = Math.floor(s / 60);
  if (m < 60) return `${m} min ${Math.round(s % 60)} s`;
  const h = Math.floor(m / 60);
  if (h < 48) return `${h} h ${m % 60} min`;
  return `${Math.floor(h / 24)} d ${h % 24} h`;
}

export function humanRate(n: number): string {
  if (n >= 1_000_000) return `${(n / 1_000_000).toFixed(1)}M`;
  if (n >= 10_000) return `${Math.round(n / 1000)}k`;
  if (n >= 1000) return `${(n / 1000).toFixed(1)}k`;
  return String(Math.round(n));
}

/** Hex dump, `perLine` bytes a line with offsets and the printable characters. */
export function hexDump(hex: string | undefined, maxBytes = 4096, perLine = 16): string {
  if (!hex) return '';
  const lines: string[] = [];
  const n = Math.min(hex.length / 2, maxBytes);
  for (let off = 0; off < n; off += perLine) {
    const bytes: string[] = [];
    let ascii = '';
    for (let i = off; i < Math.min(off + perLine, n); i++) {
      const h = hex.slice(i * 2, i * 2 + 2);
      bytes.push(h);
      const c = parseInt(h, 16);
      ascii += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : '.';
    }
    lines.push(`${off.toString(16).padStart(6, '0')}  ${bytes.join(' ').padEnd(perLine * 3 - 1)}  ${ascii}`);
  }
  if (hex.length / 2 > maxBytes) lines.push(`… ${hex.length / 2 - maxBytes} more bytes`);
  return lines.join('\n');
}
