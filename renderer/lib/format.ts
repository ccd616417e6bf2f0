import type { WireMessage } from '../../shared/contract';
import { humanBytes } from '../../shared/format';

export { humanBytes };

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

type TupleValue = string | null | { unchangedToast: true } | { binary: string };

export function cellText(v: unknown): string {
  const t = v as TupleValue;
  if (t === null) return 'NULL';
  if (typeof t === 'string') return t;
  if (t && typeof t === 'object' && 'unchangedToast' in t) return '(unchanged TOAST)';
  if (t && typeof t === 'object' && 'binary' in t) return `\\x${t.binary}`;
  return String(v);
}

export function relationOf(m: WireMessage): string {
  if (typeof m['schema'] === 'string' && typeof m['table'] === 'string') return `${m['schema']}.${m['table']}`;
  if (m.type === 'truncate' && Array.isArray(m['relations'])) return (m['relations'] as string[]).join(', ');
  return '';
}

function tupleSummary(t: unknown, max = 4): string {
  if (!t || typeof t !== 'object') return '';
  const entries = Object.entries(t as Record<string, unknown>);
  const shown = entries.slice(0, max).map(([k, v]) => `${k}=${cellText(v).slice(0, 40)}`);
  return shown.join(' ') + (entries.length > max ? ' …' : '');
}

/** One line a DBA can scan. */
export function summaryOf(m: WireMessage): string {
  switch (m.type) {
    case 'begin':
      return `xid ${m.xid ?? '?'}`;
    case 'commit':
      return `end ${String(m['endLsn'] ?? '')}`;
    case 'insert':
      return tupleSummary(m['new']);
    case 'update':
      return `${m['key'] || m['old'] ? `${tupleSummary(m['key'] ?? m['old'], 2)} → ` : ''}${tupleSummary(m['new'])}`;
    case 'delete':
      return tupleSummary(m['key'] ?? m['old']);
    case 'truncate':
      return `${m['cascade'] ? 'CASCADE ' : ''}${m['restartIdentity'] ? 'RESTART IDENTITY' : ''}`.trim();
    case 'message':
      return `${m['transactional'] ? 'tx' : 'non-tx'} ${String(m['prefix'])}: ${String(m['content'] ?? `\\x${String(m['contentHex'])}`).slice(0, 80)}`;
    case 'relation':
      return `${(m['columns'] as unknown[] | undefined)?.length ?? 0} columns, identity ${String(m['replicaIdentity'])}`;
    default:
      return 'gid' in m ? `gid ${String(m['gid'])}` : '';
  }
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
