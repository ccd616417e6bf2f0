import { spawnSync } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { createDemoRun, demoRunsParent, demoServerOwner, listDemoRuns, removeDemoRun } from './demo-dirs';

const cleanup: string[] = [];
afterEach(() => cleanup.splice(0).forEach((d) => fs.rmSync(d, { recursive: true, force: true })));
const owner = demoServerOwner();

/** A run directory as a WALscope process `pid` would have left it. */
function fakeRun(parent: string, pid: number): string {
  const dir = fs.mkdtempSync(path.join(parent, 'walscope-demo-'));
  cleanup.push(dir);
  fs.writeFileSync(path.join(dir, 'walscope-owner.pid'), `${pid}\n`);
  if (owner) fs.chownSync(dir, owner.uid, owner.gid);
  return dir;
}

describe('demo run directories', () => {
  it('live in <user data>/demo, or in the temp dir as root or when the socket path would be too long', () => {
    const userData = '/home/alice/.local/share/walscope';
    expect(demoRunsParent(userData, undefined)).toBe(path.join(userData, 'demo'));
    expect(demoRunsParent(userData, { uid: 101, gid: 104 })).toBe(os.tmpdir());
    expect(demoRunsParent(`/home/alice/${'x'.repeat(80)}`, undefined)).toBe(os.tmpdir());
  });

  it('removes runs whose WALscope is gone, keeps live ones, and never follows a symlink', () => {
    const userData = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-demodirs-'));
    cleanup.push(userData);
    const parent = demoRunsParent(userData, owner);
    fs.mkdirSync(parent, { recursive: true });
    const deadPid = spawnSync(process.execPath, ['-e', '0']).pid!;
    const stale = fakeRun(parent, deadPid);
    const live = fakeRun(parent, process.ppid);
    // A planted link named like a run, pointing at a directory that looks stale.
    const target = fs.mkdtempSync(path.join(os.tmpdir(), 'walscope-demodirs-target-'));
    cleanup.push(target);
    fs.writeFileSync(path.join(target, 'walscope-owner.pid'), `${deadPid}\n`);
    const link = path.join(parent, `walscope-demo-link${process.pid}`);
    fs.symlinkSync(target, link);
    cleanup.push(link);

    const run = createDemoRun(userData, owner);
    cleanup.push(run.runDir);
    expect(fs.existsSync(stale)).toBe(false);
    expect(fs.existsSync(live)).toBe(true);
    expect(fs.existsSync(path.join(target, 'walscope-owner.pid'))).toBe(true);
    expect(listDemoRuns(parent, owner).map((r) => r.dir)).toContain(run.runDir);
    removeDemoRun(run);
    expect(fs.existsSync(run.runDir)).toBe(false);
  });
});
