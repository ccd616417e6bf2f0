import { describe, expect, it } from 'vitest';
import { redactConninfo } from './conninfo-redact';
import { identityProblem } from './publisher-catalog';
import { RateTracker } from './rates';
import { subscriptionTarget, syncStateName } from './subscriber-catalog';

describe('conninfo redaction', () => {
  it('removes the password from key=value strings, quoted or not, with escapes', () => {
    expect(redactConninfo('host=h port=5432 password=s3cret dbname=db')).toBe(
      'host=h port=5432 password=******** dbname=db',
    );
    expect(redactConninfo(`host=h password='a b\\'c' user=u`)).toBe('host=h password=******** user=u');
    expect(redactConninfo(`host = h PASSWORD = 'x y'`)).toBe('host=h PASSWORD=********');
    expect(redactConninfo(`application_name='my app' password=x`)).toBe(`application_name='my app' password=********`);
  });

  it('removes the password from URIs: userinfo and query parameter', () => {
    expect(redactConninfo('postgresql://u:s3cret@h:5432/db?sslmode=require')).toBe(
      'postgresql://u:********@h:5432/db?sslmode=require',
    );
    expect(redactConninfo('postgres://u@h/db?password=s3cret&sslmode=disable')).toBe(
      'postgres://u@h/db?password=********&sslmode=disable',
    );
    expect(redactConninfo('postgres://u:p%40ss@h/db')).not.toContain('p%40ss');
  });

  it('shows nothing for a string it cannot parse (an open quote could hide the password)', () => {
    expect(redactConninfo(`host=h password='never closed`)).toBeNull();
    expect(redactConninfo(`password`)).toBeNull();
  });
});

describe('subscription helpers', () => {
  it('names every sync state code and reads the connection target', () => {
    expect(['i', 'd', 'f', 's', 'r', 'x'].map(syncStateName)).toEqual([
      'init',
      'data copy',
      'finished copy',
      'synchronized',
      'ready',
      'unknown',
    ]);
    expect(subscriptionTarget('host=a,b port=6000,6001 dbname=shop password=x')).toEqual({
      host: 'a',
      port: 6000,
      dbname: 'shop',
    });
    expect(subscriptionTarget('postgres://u@db.example:5433/app')).toEqual({
      host: 'db.example',
      port: 5433,
      dbname: 'app',
    });
    expect(subscriptionTarget(null)).toBeNull();
  });
});

describe('replica identity problems', () => {
  const pk = { replicaIdentity: 'default' as const, hasPrimaryKey: true, hasIdentityIndex: false };
  it('flags UPDATE/DELETE without a usable identity only', () => {
    expect(identityProblem({ update: true, delete: true }, pk)).toBeNull();
    expect(identityProblem({ update: true, delete: false }, { ...pk, hasPrimaryKey: false })).toMatch(
      /^UPDATE published/,
    );
    expect(identityProblem({ update: false, delete: false }, { ...pk, hasPrimaryKey: false })).toBeNull();
    expect(identityProblem({ update: true, delete: true }, { ...pk, replicaIdentity: 'nothing' })).toMatch(/NOTHING/);
    expect(
      identityProblem({ update: true, delete: true }, { ...pk, replicaIdentity: 'full', hasPrimaryKey: false }),
    ).toBeNull();
    expect(identityProblem({ update: true, delete: true }, { ...pk, replicaIdentity: 'index' })).toMatch(
      /index is gone/,
    );
  });
});

describe('RateTracker', () => {
  it('gives per-second rates from the previous sample; null first, after a reset, or with no time elapsed', () => {
    const r = new RateTracker();
    expect(r.rate('k', 10, 1000)).toBeNull();
    expect(r.rate('k', 30, 3000)).toBe(10);
    expect(r.rate('k', 5, 4000)).toBeNull(); // counter reset
    expect(r.rate('k', 5, 4000)).toBeNull();
    expect(r.rate('k', 15, 4500)).toBe(20);
    r.retain(() => false);
    expect(r.rate('k', 100, 5000)).toBeNull();
  });
});
