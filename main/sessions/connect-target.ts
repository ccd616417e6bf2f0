import type { ConnectionFields, ConnectTarget } from '../../shared/contract';
import { WalscopeError } from '../../shared/errors';
import {
  resolveConnectionSettings,
  toPgClientConfig,
  type SettingsInput,
  type WalscopeClientConfig,
} from '../connection';
import type { DemoHandle } from '../demo/demo-database';
import { APP_VERSION } from '../version';
import type { ProfileStore } from './profile-store';

/** What resolving a connect target reads: saved profiles, the demo database and PG* variables. */
export interface ConnectTargetDeps {
  profiles: ProfileStore;
  demo: () => Promise<DemoHandle>;
  env: NodeJS.ProcessEnv;
}

/** The client config, the label the UI shows, and whether it is the demo database, for a connect target. */
export async function configFor(
  target: ConnectTarget,
  deps: ConnectTargetDeps,
): Promise<{ config: WalscopeClientConfig; label: string; demo: boolean }> {
  const applicationName = `walscope/${APP_VERSION}`;
  if (target.kind === 'demo') {
    const demo = await deps.demo();
    const s = resolveConnectionSettings({ dsn: demo.dsn, applicationName }, {});
    return { config: toPgClientConfig(s), label: 'demo', demo: true };
  }
  if (target.kind === 'demoSubscriber') {
    const dsn = await (await deps.demo()).subscriber();
    const s = resolveConnectionSettings({ dsn, applicationName }, {});
    return { config: toPgClientConfig(s), label: 'demo subscriber', demo: false };
  }
  if (target.kind === 'demoStandby') {
    const dsn = await (await deps.demo()).standby();
    const s = resolveConnectionSettings({ dsn, applicationName }, {});
    return { config: toPgClientConfig(s), label: 'demo standby', demo: false };
  }
  if (target.kind === 'profile') {
    const p = deps.profiles.resolve(target.profileId);
    if (!p) throw new WalscopeError({ code: 'INVALID_ARGUMENT', message: 'that saved profile no longer exists' });
    const overrides = overridesFrom({ ...p.profile.fields, ...(p.password ? { password: p.password } : {}) });
    const s = resolveConnectionSettings({ overrides, applicationName }, deps.env);
    return { config: toPgClientConfig(s), label: p.profile.name, demo: false };
  }
  if (target.kind === 'service') {
    // As PGSERVICE: the service's keywords win over other PG* variables, and an unknown name is
    // reported by name with the files looked in.
    const s = resolveConnectionSettings({ applicationName }, { ...deps.env, PGSERVICE: target.service });
    return { config: toPgClientConfig(s), label: target.service, demo: false };
  }
  const s =
    target.kind === 'dsn'
      ? resolveConnectionSettings(
          {
            dsn: target.dsn,
            applicationName,
            ...(target.password ? { overrides: { password: target.password } } : {}),
          },
          deps.env,
        )
      : resolveConnectionSettings({ applicationName, overrides: overridesFrom(target.fields) }, deps.env);
  return { config: toPgClientConfig(s), label: `${s.user}@${s.host}:${s.port}/${s.database}`, demo: false };
}

/** UI connection fields as libpq keywords; empty fields fall through to PG* variables and defaults. */
function overridesFrom(f: ConnectionFields): SettingsInput['overrides'] {
  return {
    ...(f.host ? { host: f.host } : {}),
    ...(f.port ? { port: String(f.port) } : {}),
    ...(f.database ? { dbname: f.database } : {}),
    ...(f.user ? { user: f.user } : {}),
    ...(f.password ? { password: f.password } : {}),
    ...(f.sslmode ? { sslmode: f.sslmode } : {}),
    ...(f.sslrootcert ? { sslrootcert: f.sslrootcert } : {}),
  };
}

/** The PG* variables the connect form shows as placeholders. */
export function connectionDefaults(env: NodeJS.ProcessEnv): Partial<ConnectionFields> {
  return {
    ...(env['PGHOST'] ? { host: env['PGHOST'] } : {}),
    ...(env['PGPORT'] && Number(env['PGPORT']) ? { port: Number(env['PGPORT']) } : {}),
    ...(env['PGDATABASE'] ? { database: env['PGDATABASE'] } : {}),
    ...(env['PGUSER'] ? { user: env['PGUSER'] } : {}),
  };
}
