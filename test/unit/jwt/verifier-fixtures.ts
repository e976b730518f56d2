import { AuditEmitter } from '../../../src/audit/audit-emitter.js';
import type { IamAuditEvent, IamAuditEventName } from '../../../src/audit/audit-event.js';
import type { AuditSink } from '../../../src/audit/audit-sink.js';
import type { ValidatedTenantConfig } from '../../../src/config/tenant-config.js';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import type { ReplayCache } from '../../../src/replay/replay-cache.js';

export const AUDIENCE = 'orders-api';
export const ISSUER = 'https://oathkeeper.test/';

/** A validated Oathkeeper JWT tenant; `oathkeeper` entries replace the defaults given here. */
export function jwtTenant(
  jwksUrl: string,
  oathkeeper: Record<string, unknown> = {},
  name = 'default',
  claims: Record<string, unknown> = {},
): ValidatedTenantConfig {
  const options = validateIamOptions({
    tenants: {
      [name]: {
        transport: 'oathkeeper',
        claims,
        oathkeeper: {
          jwks: { url: jwksUrl },
          audience: AUDIENCE,
          replayProtection: { enabled: true },
          ...oathkeeper,
        },
      },
    },
  });
  const tenant = options.tenants[name];
  if (tenant === undefined) throw new Error(`no tenant ${name}`);
  return tenant;
}

/** Records audit events and lets a test await the next one of a name. */
export class RecordingSink implements AuditSink {
  readonly events: IamAuditEvent[] = [];
  private readonly waiters: { name: IamAuditEventName; resolve: (e: IamAuditEvent) => void }[] = [];

  emit(event: IamAuditEvent): void {
    this.events.push(event);
    const index = this.waiters.findIndex((waiter) => waiter.name === event.name);
    if (index !== -1) this.waiters.splice(index, 1)[0]?.resolve(event);
  }

  /** Resolves with the next event of this name emitted from now on. */
  next(name: IamAuditEventName): Promise<IamAuditEvent> {
    return new Promise((resolve) => this.waiters.push({ name, resolve }));
  }

  count(name: IamAuditEventName): number {
    return this.events.filter((event) => event.name === name).length;
  }

  emitter(): AuditEmitter {
    return new AuditEmitter(this);
  }
}

/** A replay cache that records every call, backed by a Set; `claim` is optional per test. */
export class SpyReplayCache implements ReplayCache {
  readonly calls: string[] = [];
  private readonly seenKeys = new Set<string>();
  claim?: (jti: string, ttlMs: number) => Promise<boolean>;

  constructor(withClaim = true) {
    if (withClaim) {
      this.claim = async (jti, ttlMs) => {
        this.calls.push(`claim ${jti} ${ttlMs}`);
        if (this.seenKeys.has(jti)) return false;
        this.seenKeys.add(jti);
        return true;
      };
    }
  }

  async seen(jti: string): Promise<boolean> {
    this.calls.push(`seen ${jti}`);
    return this.seenKeys.has(jti);
  }

  async remember(jti: string, ttlMs: number): Promise<void> {
    this.calls.push(`remember ${jti} ${ttlMs}`);
    this.seenKeys.add(jti);
  }
}
