import { AuditEmitter } from '../../../src/audit/audit-emitter.js';
import type { IamModuleOptions } from '../../../src/config/module-options.js';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { OryClients } from '../../../src/ory/ory-clients.js';
import type { SessionCacheStore } from '../../../src/session-cache/session-cache-store.js';
import { createKratosTransport } from '../../../src/transport/kratos-transport.js';
import type { Transport } from '../../../src/transport/transport.js';

/** Validates the options as the module would and builds one tenant's Kratos transport from them. */
export function kratosTransportOf(
  options: IamModuleOptions,
  tenant: string,
  sessionCacheStore?: SessionCacheStore,
): Transport {
  const validated = validateIamOptions(options);
  const config = validated.tenants[tenant];
  if (config === undefined) throw new Error(`no tenant ${tenant}`);
  return createKratosTransport(config, {
    replayCache: { seen: async () => false, remember: async () => undefined },
    audit: new AuditEmitter({ emit: () => undefined }),
    oryClients: new OryClients(validated),
    sessionCacheStore,
  });
}
