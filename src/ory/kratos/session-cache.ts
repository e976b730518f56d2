import { hash } from 'node:crypto';
import { Logger } from '@nestjs/common';
import type { ValidatedTenantConfig } from '../../config/tenant-config.js';
import type { SessionCacheStore } from '../../session-cache/session-cache-store.js';
import type { SessionCredential } from '../../transport/kratos-credentials.js';
import type { IamSession } from './iam-session.js';
import { deserializeSession, serializeSession } from './session-serialization.js';

const FAILURE_LOG_INTERVAL_MS = 60_000;

/** Tag of every cache entry of one session, so a revoke evicts all of them. */
export function sessionTag(tenant: string, sessionId: string): string {
  return `session:${tenant}:${sessionId}`;
}

/** Tag of every cache entry of one identity, so revoking all its sessions evicts them. */
export function identityTag(tenant: string, identityId: string): string {
  return `identity:${tenant}:${identityId}`;
}

/**
 * One tenant's view of the session cache. Keys are SHA-256 hashes of (tenant, credential kind,
 * credential), so the store never sees a cookie or token. An entry lives at most `ttlMs` and never
 * past the session's `expires_at`; sessions without one are not cached. A failing store is
 * logged (without data, at most once a minute) and treated as a miss: it never decides anything.
 */
export class KratosSessionCache {
  private readonly logger = new Logger('IamSessionCache');
  private lastFailureLogAt = Number.NEGATIVE_INFINITY;

  constructor(
    private readonly store: SessionCacheStore,
    private readonly tenant: string,
    private readonly ttlMs: number,
  ) {}

  keyOf(credential: SessionCredential): string {
    return hash('sha256', JSON.stringify([this.tenant, credential.kind, credential.value]), 'hex');
  }

  async get(credential: SessionCredential): Promise<IamSession | undefined> {
    let stored: string | undefined;
    try {
      stored = await this.store.get(this.keyOf(credential));
    } catch (error) {
      this.reportFailure('read', error);
      return undefined;
    }
    if (stored === undefined) return undefined;
    const session = deserializeSession(stored, this.tenant);
    const expiresAt = session?.expiresAt?.getTime();
    return expiresAt !== undefined && expiresAt > Date.now() ? session : undefined;
  }

  async put(credential: SessionCredential, session: IamSession): Promise<void> {
    const expiresAt = session.expiresAt?.getTime();
    const identity = session.identity;
    if (expiresAt === undefined || identity === undefined) return;
    const ttlMs = Math.min(this.ttlMs, expiresAt - Date.now());
    if (ttlMs <= 0) return;
    const tags = [sessionTag(this.tenant, session.id), identityTag(this.tenant, identity.id)];
    try {
      await this.store.set(
        this.keyOf(credential),
        serializeSession(session, identity),
        ttlMs,
        tags,
      );
    } catch (error) {
      this.reportFailure('write', error);
    }
  }

  /** Evicts every cached credential of a session. Failures are logged, never thrown. */
  evictSession(sessionId: string): Promise<void> {
    return this.evict(sessionTag(this.tenant, sessionId));
  }

  /** Evicts every cached credential of an identity's sessions. Failures are logged, never thrown. */
  evictIdentity(identityId: string): Promise<void> {
    return this.evict(identityTag(this.tenant, identityId));
  }

  private async evict(tag: string): Promise<void> {
    try {
      await this.store.deleteTagged(tag);
    } catch (error) {
      this.reportFailure('evict', error);
    }
  }

  private reportFailure(operation: string, error: unknown): void {
    const now = Date.now();
    if (now - this.lastFailureLogAt < FAILURE_LOG_INTERVAL_MS) return;
    this.lastFailureLogAt = now;
    const kind = error instanceof Error ? error.name : typeof error;
    const consequence =
      operation === 'evict'
        ? 'cached entries may stay valid until their ttl'
        : 'asking Kratos instead';
    this.logger.warn(
      `Session cache ${operation} failed (${kind}) for tenant "${this.tenant}"; ${consequence}.`,
    );
  }
}

/** The tenant's session cache when `kratos.sessionCache.enabled` and a store is available. */
export function kratosSessionCacheFor(
  tenant: ValidatedTenantConfig,
  store: SessionCacheStore | undefined,
): KratosSessionCache | undefined {
  const config = tenant.kratos?.sessionCache;
  if (config?.enabled !== true || store === undefined) return undefined;
  return new KratosSessionCache(store, tenant.name, config.ttlMs);
}
