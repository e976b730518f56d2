import { deepFreeze } from '../common/deep-freeze.js';
import type { ValidatedTenantConfig } from '../config/tenant-config.js';
import { IamConfigurationError } from '../errors/iam-errors.js';
import type { IamIdentity } from '../identity/iam-identity.js';
import { kratosSessionCacheFor } from '../ory/kratos/session-cache.js';
import { KratosSessionResolver, type UsableSession } from '../ory/kratos/session-resolver.js';
import { RedisStore } from '../redis/redis-store.js';
import { guardSessionStore } from '../session-cache/guarded-session-store.js';
import type { TransportDependencies } from './create-transport.js';
import { checkCsrfOrigin } from './csrf-origin.js';
import { type KratosTransportKind, sessionCredentialOf } from './kratos-credentials.js';
import { tenantBindingCheckFor } from './kratos-tenant-binding.js';
import type { Transport } from './transport.js';

/**
 * The request's identity, as a Kratos session proved it. Deeply frozen like the Oathkeeper one:
 * guards, subject resolvers and the handler all read this one object, and requests in flight with
 * the same credential share one Kratos answer (and so its traits), so none may change it for another.
 */
function identityFromSession(
  { session, identity }: UsableSession,
  via: 'kratos-cookie' | 'kratos-bearer',
): IamIdentity {
  return deepFreeze({
    id: identity.id,
    kind: 'user',
    tenant: identity.tenant,
    roles: identity.roles,
    traits: identity.traits,
    metadataPublic: identity.metadataPublic,
    sessionId: session.id,
    aal: session.aal,
    expiresAt: session.expiresAt?.getTime(),
    via,
  });
}

/**
 * The `cookie`, `bearer` and `cookie-or-bearer` transports: the session credential is checked
 * with Kratos (or the tenant's session cache) on every request. Built once per tenant at boot.
 */
export function createKratosTransport(
  tenant: ValidatedTenantConfig,
  dependencies: TransportDependencies,
): Transport {
  const transport: KratosTransportKind | 'oathkeeper' = tenant.transport;
  if (transport === 'oathkeeper') {
    throw new IamConfigurationError([
      `tenants.${tenant.name}.transport: 'oathkeeper' is not a Kratos transport`,
    ]);
  }
  if (tenant.kratos === undefined) {
    throw new IamConfigurationError([`tenants.${tenant.name}.kratos: is required`]);
  }
  const { csrf } = tenant.kratos;
  const clients = dependencies.oryClients.kratos(tenant.name);
  const { sessionCacheStore: store, guards } = dependencies;
  // Only a Redis store has an upstream to guard; the in-memory store answers at once.
  const sessionStore =
    store instanceof RedisStore && guards !== undefined && tenant.kratos.sessionCache?.enabled
      ? guardSessionStore(store, guards.guard(tenant.name, 'redis-session'))
      : store;
  const resolver = new KratosSessionResolver(
    tenant,
    clients,
    kratosSessionCacheFor(tenant, sessionStore),
  );
  const cookieName = resolver.cookieName;
  const checkTenantBinding = tenantBindingCheckFor(tenant);
  return {
    async authenticate(request, deadline) {
      const credential = sessionCredentialOf(request, transport, cookieName);
      if (credential === undefined) return undefined;
      // Only the cookie rides along on requests another site makes; a token is sent on purpose.
      if (credential.kind === 'cookie') checkCsrfOrigin(request, csrf, tenant.trustProxy);
      const usable = await resolver.resolve(credential, deadline);
      // After the cache as well as after Kratos: a cached session is checked like a fresh one.
      checkTenantBinding(usable.identity);
      return identityFromSession(
        usable,
        credential.kind === 'cookie' ? 'kratos-cookie' : 'kratos-bearer',
      );
    },
  };
}
