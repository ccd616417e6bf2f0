import type { ConnectTarget } from '../../shared/contract/dto';
import type { TopologyMember } from './graph';

/**
 * Connect suggestions for seen servers: the demo's own targets for the demo's parts, otherwise the
 * address that was seen with the user and database of the session it was seen from (the server
 * most likely has the same roles), never a password. Null when no address is known.
 */
export function suggestFields(
  from: TopologyMember,
  host: string | null,
  port: number | null,
  database?: string | null,
): ConnectTarget | null {
  if (!host) return null;
  return {
    kind: 'fields',
    fields: {
      host,
      ...(port !== null ? { port } : {}),
      database: database ?? from.via.database,
      user: from.via.user,
    },
  };
}

/** The demo primary's walsender or logical consumer with this name: the demo standby or subscriber. */
export function demoTargetSeenOnPrimary(
  from: TopologyMember,
  applicationName: string,
  names: {
    standby: string;
    subscription: string;
  },
): ConnectTarget | null {
  if (from.demo !== 'primary') return null;
  if (applicationName === names.standby) return { kind: 'demoStandby' };
  if (applicationName === names.subscription) return { kind: 'demoSubscriber' };
  return null;
}
