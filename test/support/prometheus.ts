import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { freePort } from '../../main/net/free-port';
import { eventually } from './eventually';

/** Debian's prometheus package (.ci/run installs it); undefined when this machine has none. */
export function prometheusBinary(): string | undefined {
  for (const f of ['/usr/bin/prometheus', '/usr/local/bin/prometheus']) if (fs.existsSync(f)) return f;
  return undefined;
}

export function promtoolBinary(): string | undefined {
  for (const f of ['/usr/bin/promtool', '/usr/local/bin/promtool']) if (fs.existsSync(f)) return f;
  return undefined;
}

export interface PromSample {
  labels: Record<string, string>;
  /** [unix seconds, value] pairs (one for an instant query). */
  values: Array<[number, number]>;
}

export interface Prometheus {
  url: string;
  query(promql: string): Promise<PromSample[]>;
  log(): string;
  stop(): Promise<void>;
}

interface PrometheusOptions {
  target: string;
  intervalSeconds: number;
  bearerToken?: string;
}

/**
 * A real Prometheus on loopback with its own temporary storage, scraping `target` every
 * `intervalSeconds` (job "walscope"); stopped and removed by stop().
 */
export async function startPrometheus(opts: PrometheusOptions): Promise<Prometheus> {
  const bin = prometheusBinary();
  if (!bin) throw new Error('prometheus is not installed (apt-get install prometheus)');
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-prometheus-'));
  writeConfig(dir, opts);
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  let log = '';
  const child: ChildProcess = spawn(
    bin,
    [
      `--config.file=${path.join(dir, 'prometheus.yml')}`,
      `--storage.tsdb.path=${path.join(dir, 'data')}`,
      `--web.listen-address=127.0.0.1:${port}`,
      '--log.level=warn',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'] },
  );
  child.stdout!.on('data', (d: Buffer) => (log += d.toString()));
  child.stderr!.on('data', (d: Buffer) => (log += d.toString()));
  const exited = new Promise<void>((resolve) => child.on('close', () => resolve()));
  const stop = async (): Promise<void> => {
    if (child.exitCode === null) child.kill('SIGTERM');
    await exited;
    fs.rmSync(dir, { recursive: true, force: true });
  };
  try {
    await eventually(async () => {
      if (child.exitCode !== null) throw new Error(`prometheus exited: ${log}`);
      return (await fetch(`${url}/-/ready`)).ok;
    }, 30_000);
  } catch (e) {
    await stop();
    throw e;
  }
  return { url, log: () => log, stop, query: (promql) => query(url, promql) };
}

/** prometheus.yml (and the token file it points to) in `dir`: one job scraping the target. */
function writeConfig(dir: string, opts: PrometheusOptions): void {
  const auth = opts.bearerToken ? `    authorization:\n      credentials_file: ${path.join(dir, 'token')}\n` : '';
  if (opts.bearerToken) fs.writeFileSync(path.join(dir, 'token'), opts.bearerToken, { mode: 0o600 });
  fs.writeFileSync(
    path.join(dir, 'prometheus.yml'),
    `global:\n  scrape_interval: ${opts.intervalSeconds}s\n  scrape_timeout: ${opts.intervalSeconds}s\n` +
      `scrape_configs:\n  - job_name: walscope\n${auth}    static_configs:\n      - targets: ['${opts.target}']\n`,
  );
}

/** An instant or range query through the HTTP API, as labels and numeric values. */
async function query(url: string, promql: string): Promise<PromSample[]> {
  const res = await fetch(`${url}/api/v1/query?query=${encodeURIComponent(promql)}`);
  const body = (await res.json()) as {
    status: string;
    error?: string;
    data?: {
      resultType: string;
      result: Array<{ metric: Record<string, string>; value?: [number, string]; values?: Array<[number, string]> }>;
    };
  };
  if (body.status !== 'success' || !body.data) throw new Error(`query ${promql} failed: ${body.error}`);
  return body.data.result.map((r) => ({
    labels: r.metric,
    values: (r.values ?? (r.value ? [r.value] : [])).map(([t, v]) => [t, Number(v)] as [number, number]),
  }));
}
