import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import type { TopologySnapshot } from '../../shared/contract/topology';
import { demoPartOf, TopologyRegistry } from './topology-registry';
import { member } from './topology-fixtures';

describe('TopologyRegistry', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => vi.useRealTimers());

  const observe = (r: TopologyRegistry, label: string, port: number) => {
    const { snapshot, ...m } = member(label, port);
    r.observe(m, snapshot);
  };

  it('publishes one topology for snapshots that arrive within its delay, and again when a session goes', () => {
    const published: TopologySnapshot[] = [];
    const r = new TopologyRegistry(
      (t) => published.push(t),
      100,
      () => 42,
    );
    observe(r, 'a', 5432);
    observe(r, 'b', 5433);
    observe(r, 'a', 5432);
    vi.advanceTimersByTime(99);
    expect(published).toHaveLength(0);
    vi.advanceTimersByTime(1);
    expect(published.map((t) => t.nodes.map((n) => n.label))).toEqual([['a', 'b']]);
    r.forget('a');
    vi.advanceTimersByTime(100);
    expect(published.map((t) => t.nodes.map((n) => n.label))).toEqual([['a', 'b'], ['b']]);
    expect(r.current()).toMatchObject({ at: 42, nodes: [{ label: 'b' }] });
  });

  it('publishes within its delay of the first snapshot even while snapshots keep arriving', () => {
    const published: TopologySnapshot[] = [];
    const r = new TopologyRegistry((t) => published.push(t), 100);
    observe(r, 'a', 5432);
    vi.advanceTimersByTime(60);
    observe(r, 'b', 5433);
    vi.advanceTimersByTime(60);
    expect(published).toHaveLength(1);
  });

  it('publishes again on refresh, so a session whose polls fail turns bad once its snapshot is stale', () => {
    const published: TopologySnapshot[] = [];
    let now = 1000;
    const r = new TopologyRegistry(
      (t) => published.push(t),
      100,
      () => now,
    );
    observe(r, 'a', 5432);
    vi.advanceTimersByTime(100);
    now = 1000 + 60_000;
    r.refresh();
    vi.advanceTimersByTime(100);
    expect(published.map((t) => t.nodes[0]!.health)).toEqual(['ok', 'bad']);
  });

  it('publishes nothing after close', () => {
    const published: TopologySnapshot[] = [];
    const r = new TopologyRegistry((t) => published.push(t), 100);
    observe(r, 'a', 5432);
    r.close();
    vi.advanceTimersByTime(1000);
    expect(published).toEqual([]);
  });

  it("names the demo's parts by their connect target", () => {
    expect([
      demoPartOf({ kind: 'demo' }),
      demoPartOf({ kind: 'demoStandby' }),
      demoPartOf({ kind: 'demoSubscriber' }),
    ]).toEqual(['primary', 'standby', 'subscriber']);
    expect(demoPartOf({ kind: 'dsn', dsn: 'postgresql://x' })).toBeNull();
  });
});
