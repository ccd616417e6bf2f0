/**
 * The Prometheus text exposition format (0.0.4) and OpenMetrics 1.0.0, written from one list of
 * metric families. Names carry base units (`_bytes`, `_seconds`); a counter's samples end in
 * `_total`, and in OpenMetrics its family name (TYPE, HELP, UNIT lines) is the name without it.
 * https://prometheus.io/docs/instrumenting/exposition_formats/
 * https://github.com/prometheus/OpenMetrics/blob/main/specification/OpenMetrics.md
 */

export type MetricType = 'gauge' | 'counter';

export interface Sample {
  labels: Readonly<Record<string, string>>;
  value: number;
}

export interface MetricFamily {
  /** The sample name; a counter's ends in `_total`. */
  name: string;
  help: string;
  type: MetricType;
  samples: Sample[];
}

export type ExpositionFormat = 'text' | 'openmetrics';

export const CONTENT_TYPES: Record<ExpositionFormat, string> = {
  text: 'text/plain; version=0.0.4; charset=utf-8',
  openmetrics: 'application/openmetrics-text; version=1.0.0; charset=utf-8',
};

const NAME = /^[a-zA-Z_:][a-zA-Z0-9_:]*$/;
const LABEL = /^[a-zA-Z_][a-zA-Z0-9_]*$/;

/**
 * The format a scraper asked for in `Accept`: OpenMetrics 1.0.0 when it is offered with a higher
 * (or equal, earlier) q than the text format; the text format otherwise, as every Prometheus reads it.
 */
export function negotiateFormat(accept: string | undefined): ExpositionFormat {
  let best: { format: ExpositionFormat; q: number } = { format: 'text', q: 0 };
  for (const part of (accept ?? '').split(',')) {
    const [type, ...params] = part.split(';').map((p) => p.trim());
    const kv = new Map(params.map((p) => p.split('=').map((s) => s.trim().toLowerCase()) as [string, string]));
    const q = kv.has('q') ? Number(kv.get('q')) : 1;
    if (!(q > 0)) continue;
    const version = kv.get('version');
    let format: ExpositionFormat | undefined;
    if (type?.toLowerCase() === 'application/openmetrics-text' && (version === undefined || version === '1.0.0')) {
      format = 'openmetrics';
    } else if (type?.toLowerCase() === 'text/plain' && (version === undefined || version === '0.0.4')) {
      format = 'text';
    }
    if (format && q > best.q) best = { format, q };
  }
  return best.format;
}

function escapeLabelValue(v: string): string {
  return v.replace(/\\/g, '\\\\').replace(/\n/g, '\\n').replace(/"/g, '\\"');
}

function escapeHelp(text: string, format: ExpositionFormat): string {
  const s = text.replace(/\\/g, '\\\\').replace(/\n/g, '\\n');
  return format === 'openmetrics' ? s.replace(/"/g, '\\"') : s;
}

/** Go's strconv-style numbers: integers without a fraction, the special values spelled as both formats read them. */
export function formatValue(v: number): string {
  if (Number.isNaN(v)) return 'NaN';
  if (v === Infinity) return '+Inf';
  if (v === -Infinity) return '-Inf';
  return String(v);
}

function labelText(labels: Readonly<Record<string, string>>): string {
  const entries = Object.entries(labels);
  if (entries.length === 0) return '';
  return `{${entries.map(([k, v]) => `${k}="${escapeLabelValue(v)}"`).join(',')}}`;
}

/** The OpenMetrics unit a family name ends in, if it is one we use. */
function unitOf(family: string): string | undefined {
  return /_(bytes|seconds)$/.exec(family)?.[1];
}

function check(f: MetricFamily): void {
  if (!NAME.test(f.name)) throw new Error(`bad metric name ${f.name}`);
  if ((f.type === 'counter') !== f.name.endsWith('_total')) {
    throw new Error(`${f.name}: _total is for counters, and every counter ends in it`);
  }
  for (const s of f.samples)
    for (const k of Object.keys(s.labels)) if (!LABEL.test(k)) throw new Error(`bad label ${k}`);
}

/**
 * Writes every family with its HELP and TYPE lines, even one without samples (so a scraper
 * knows the metric exists while, say, no slot does). Samples with the same labels twice would be
 * refused by Prometheus; callers keep label sets unique.
 */
export function render(families: readonly MetricFamily[], format: ExpositionFormat): string {
  const out: string[] = [];
  for (const f of families) {
    check(f);
    const family = format === 'openmetrics' && f.type === 'counter' ? f.name.slice(0, -'_total'.length) : f.name;
    out.push(`# HELP ${family} ${escapeHelp(f.help, format)}`);
    out.push(`# TYPE ${family} ${f.type}`);
    const unit = format === 'openmetrics' ? unitOf(family) : undefined;
    if (unit) out.push(`# UNIT ${family} ${unit}`);
    for (const s of f.samples) out.push(`${f.name}${labelText(s.labels)} ${formatValue(s.value)}`);
  }
  if (format === 'openmetrics') out.push('# EOF');
  return out.join('\n') + '\n';
}
