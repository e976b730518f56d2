/**
 * The upstreams a tenant's calls are guarded per (see {@link UpstreamGuard}): each has its own
 * breaker and bulkhead, so a Keto write API that hangs never opens the breaker of Keto reads. The
 * replay cache and the session cache may live in different Redis servers, and a failing session
 * cache only costs a Kratos call, so each has its own.
 */
export const UPSTREAMS = [
  'kratos-public',
  'kratos-admin',
  'keto-read',
  'keto-write',
  'redis-replay',
  'redis-session',
  'hydra-token',
] as const;

/** One upstream of a tenant, as audit events (`detail.upstream`) and health (`upstreams`) name it. */
export type Upstream = (typeof UPSTREAMS)[number];

/** How operators read an upstream's name in reasons and logs. */
export const UPSTREAM_LABELS: Readonly<Record<Upstream, string>> = {
  'kratos-public': 'Kratos public API',
  'kratos-admin': 'Kratos admin API',
  'keto-read': 'Keto read API',
  'keto-write': 'Keto write API',
  'redis-replay': 'Redis of the replay cache',
  'redis-session': 'Redis of the session cache',
  'hydra-token': 'Hydra token endpoint',
};
