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

/** Tag of the cache entry of one credential (its key, a hash), so a logout evicts it. */
function credentialTag(key: string): string {
  return `credential:${key}`;
}

/**
 * One tenant's view of the session cache. Keys are SHA-256 hashes of (tenant, credential kind,
 * credential), so the store never sees a cookie or token. An entry lives at most `ttlMs` and never
 * past the session's `expires_at`; sessions without one are not cached. A failing store is
 * logged (without data, at most once a minute) and treated as a miss: it never decides anything.
 *
 * Like the Keto decision cache, writes carry the store's generation read before Kratos was asked:
 * a session fetched while a revoke or logout evicted is not written back (see `SessionCacheStore`).
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

  /**
   * Read before asking Kratos and pass to {@link put}. Undefined when the store cannot say (it
   * failed): the answer is then not cached, since nothing would keep a revoked session out.
   */
  async generation(): Promise<string | undefined> {
    try {
      return await this.store.generation();
    } catch (error) {
      this.reportFailure('read', error);
      return undefined;
    }
  }

  /** Caches a session Kratos accepted, unless an eviction happened since `generation` was read. */
  async put(
    credential: SessionCredential,
    session: IamSession,
    generation: string | undefined,
  ): Promise<void> {
    const expiresAt = session.expiresAt?.getTime();
    const identity = session.identity;
    if (generation === undefined || expiresAt === undefined || identity === undefined) return;
    const ttlMs = Math.min(this.ttlMs, expiresAt - Date.now());
    if (ttlMs <= 0) return;
    const key = this.keyOf(credential);
    const tags = [
      sessionTag(this.tenant, session.id),
      identityTag(this.tenant, identity.id),
      credentialTag(key),
    ];
    try {
      await this.store.set(key, serializeSession(session, identity), ttlMs, tags, generation);
    } catch (error) {
      this.reportFailure('write', error);
    }
  }

  /**
   * Evicts a credential that was logged out, and every other cached credential of its session
   * when the cache knows which session that is. Failures are logged, never thrown.
   */
  async evictCredential(credential: SessionCredential): Promise<void> {
    const cached = await this.get(credential);
    await this.evict(
      cached === undefined
        ? credentialTag(this.keyOf(credential))
        : sessionTag(this.tenant, cached.id),
    );
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
