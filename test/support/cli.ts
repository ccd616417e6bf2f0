import { spawn, type ChildProcess } from 'node:child_process';
import path from 'node:path';

const BIN = path.resolve(__dirname, '../../bin/walscope.mjs');

export interface CliResult {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Environment with no PG* variables from the developer's shell leaking into the test. */
export function cleanEnv(extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {};
  for (const [k, v] of Object.entries(process.env)) if (!k.startsWith('PG')) env[k] = v;
  return { ...env, PGPASSFILE: '/nonexistent', PGSERVICEFILE: '/nonexistent', ...extra };
}

export function runCli(args: string[], env: NodeJS.ProcessEnv = cleanEnv(), timeoutMs = 30_000): Promise<CliResult> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
    child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`walscope ${args.join(' ')} timed out; stderr: ${stderr}`));
    }, timeoutMs);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr });
    });
  });
}

/** A long-running CLI process whose NDJSON lines are parsed as they arrive. */
export interface CliStream {
  child: ChildProcess;
  lines: Record<string, unknown>[];
  stderr(): string;
  waitFor(predicate: (lines: Record<string, unknown>[]) => boolean, timeoutMs?: number): Promise<void>;
  stop(): Promise<number | null>;
}

export function streamCli(args: string[], env: NodeJS.ProcessEnv = cleanEnv()): CliStream {
  const child = spawn(process.execPath, [BIN, ...args], { env, stdio: ['ignore', 'pipe', 'pipe'] });
  const lines: Record<string, unknown>[] = [];
  let partial = '';
  let err = '';
  const exited = new Promise<number | null>((resolve) => child.on('close', (code) => resolve(code)));
  child.stdout!.on('data', (d: Buffer) => {
    partial += d.toString();
    const parts = partial.split('\n');
    partial = parts.pop()!;
    for (const p of parts) if (p) lines.push(JSON.parse(p) as Record<string, unknown>);
  });
  child.stderr!.on('data', (d: Buffer) => (err += d.toString()));
  return {
    child,
    lines,
    stderr: () => err,
    async waitFor(predicate, timeoutMs = 30_000) {
      const deadline = Date.now() + timeoutMs;
      while (!predicate(lines)) {
        if (child.exitCode !== null) throw new Error(`walscope exited (${child.exitCode}): ${err}`);
        if (Date.now() > deadline) throw new Error(`timed out with ${lines.length} lines; stderr: ${err}`);
        await new Promise((r) => setTimeout(r, 50));
      }
    },
    async stop() {
      child.kill('SIGTERM');
      return exited;
    },
  };
}
