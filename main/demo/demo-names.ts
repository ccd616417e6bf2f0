/**
 * Names the demo's parts carry on the servers, in a module without dependencies so the topology
 * (main/topology/) can recognise the demo's standby and subscriber without loading the demo itself.
 */

/** The demo subscriber's subscription, and so its slot and its walsender's application_name on the primary. */
export const DEMO_SUBSCRIPTION = 'demo_sub';

/** The standby's slot, cluster_name and application_name: how it shows up in pg_stat_replication. */
export const DEMO_STANDBY = 'walscope_demo_standby';
