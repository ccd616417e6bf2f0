import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { buildFamilies } from './families';

/** The shipped monitoring/ folder: rules checked and unit-tested by promtool, names matching the exporter's. */
const MONITORING = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../monitoring');
const PROMTOOL = ['/usr/bin/promtool', '/usr/local/bin/promtool'].find((f) => fs.existsSync(f));
if (!PROMTOOL) {
  console.warn(
    'monitoring.test: promtool checks skipped, promtool is not installed (apt-get install prometheus; .ci/run does)',
  );
}

function promtool(...args: string[]): string {
  return execFileSync(PROMTOOL!, args, { cwd: MONITORING, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] });
}

describe('monitoring/', () => {
  it.skipIf(!PROMTOOL)('promtool check rules accepts the alert rules', () => {
    expect(promtool('check', 'rules', 'walscope-alerts.yml')).toContain('SUCCESS');
  });

  it.skipIf(!PROMTOOL)('promtool test rules passes a test for every alert', () => {
    expect(promtool('test', 'rules', 'walscope-alerts.test.yml')).toContain('SUCCESS');
    const rules = fs.readFileSync(path.join(MONITORING, 'walscope-alerts.yml'), 'utf8');
    const tests = fs.readFileSync(path.join(MONITORING, 'walscope-alerts.test.yml'), 'utf8');
    const alerts = [...rules.matchAll(/- alert: (\w+)/g)].map((m) => m[1]!);
    expect(alerts.length).toBeGreaterThanOrEqual(8);
    for (const a of alerts)
      expect(tests, `no test fires ${a}`).toMatch(new RegExp(`alertname: ${a}\\n\\s+exp_alerts:\\n\\s+- exp_labels`));
  });

  it('the rules and the dashboard use only metric names the exporter serves', () => {
    const served = new Set(buildFamilies([], 0).map((f) => f.name));
    for (const file of ['walscope-alerts.yml', 'walscope-dashboard.json']) {
      const text = fs.readFileSync(path.join(MONITORING, file), 'utf8');
      const used = new Set([...text.matchAll(/\bwalscope_[a-z_]+[a-z]\b/g)].map((m) => m[0]));
      for (const name of used) expect(served, `${file} uses ${name}`).toContain(name);
      expect(used.size).toBeGreaterThan(3);
    }
  });
});
