import type { VerifyKeyObjectInput } from 'node:crypto';
import { createRemoteJWKSet, type RemoteJWKSet } from 'jose';
import type { AuditEmitter } from '../audit/audit-emitter.js';
import type { JwtAlgorithm, ValidatedJwksConfig } from '../config/tenant-config.js';
import { IamUpstreamUnavailableError } from '../errors/iam-errors.js';
import { type ImportedKey, importVerificationKey } from './imported-key.js';

/** While no key set was ever loaded, a failed fetch is retried at most this often. */
const COLD_RETRY_MS = 1_000;

/**
 * A tenant's JWKS: fetched with jose, imported once into node KeyObjects, refreshed every
 * `refreshIntervalMs`. An unknown `kid` triggers one refetch per `cooldownMs`; concurrent misses
 * share one fetch. When the endpoint is down, the keys already loaded keep working; before any
 * key was ever loaded, verification answers 503.
 */
export class JwksKeyStore {
  private readonly remote: RemoteJWKSet;
  private keys: readonly ImportedKey[] = [];
  private loaded = false;
  private inflight: Promise<void> | undefined;
  private lastMissRefetchAt = Number.NEGATIVE_INFINITY;
  private lastColdAttemptAt = Number.NEGATIVE_INFINITY;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: ValidatedJwksConfig,
    private readonly tenant: string,
    private readonly audit: AuditEmitter,
    private readonly now: () => number = Date.now,
  ) {
    this.remote = createRemoteJWKSet(new URL(config.url), {
      timeoutDuration: config.timeoutMs,
      cooldownDuration: 0,
      cacheMaxAge: Number.POSITIVE_INFINITY,
    });
  }

  /** Starts the first fetch (not awaited) and the periodic refresh. */
  start(): void {
    this.refresh().catch(() => undefined);
    this.timer = setInterval(() => {
      this.refresh().catch(() => undefined);
    }, this.config.refreshIntervalMs);
    this.timer.unref();
  }

  close(): void {
    clearInterval(this.timer);
    this.timer = undefined;
  }

  /**
   * The `crypto.verify` input for this kid and algorithm, or undefined when the set has no such
   * key even after a refetch. Synchronous on a hit: the hot path awaits nothing.
   */
  resolve(
    kid: string | undefined,
    alg: JwtAlgorithm,
  ): VerifyKeyObjectInput | undefined | Promise<VerifyKeyObjectInput | undefined> {
    const hit = this.lookup(kid, alg);
    if (hit !== undefined) return hit;
    return this.resolveMiss(kid, alg);
  }

  private async resolveMiss(
    kid: string | undefined,
    alg: JwtAlgorithm,
  ): Promise<VerifyKeyObjectInput | undefined> {
    const now = this.now();
    if (!this.loaded) {
      if (this.inflight === undefined && now - this.lastColdAttemptAt < COLD_RETRY_MS) {
        throw new IamUpstreamUnavailableError('The signing keys are not available yet.', 1);
      }
      this.lastColdAttemptAt = now;
      await this.refresh().catch(() => undefined);
      if (!this.loaded) {
        throw new IamUpstreamUnavailableError('The signing keys are not available yet.', 1);
      }
    } else if (this.inflight !== undefined) {
      await this.inflight.catch(() => undefined);
    } else if (now - this.lastMissRefetchAt >= this.config.cooldownMs) {
      this.lastMissRefetchAt = now;
      await this.refresh().catch(() => undefined);
    }
    return this.lookup(kid, alg);
  }

  private lookup(kid: string | undefined, alg: JwtAlgorithm): VerifyKeyObjectInput | undefined {
    if (kid !== undefined) {
      for (const key of this.keys) {
        if (key.kid === kid) return key.verifyInputs.get(alg);
      }
      return undefined;
    }
    let match: VerifyKeyObjectInput | undefined;
    for (const key of this.keys) {
      const input = key.verifyInputs.get(alg);
      if (input === undefined) continue;
      if (match !== undefined) return undefined;
      match = input;
    }
    return match;
  }

  /** One fetch at a time; callers arriving meanwhile share it. */
  refresh(): Promise<void> {
    this.inflight ??= this.load().finally(() => {
      this.inflight = undefined;
    });
    return this.inflight;
  }

  private async load(): Promise<void> {
    try {
      await this.remote.reload();
      const set = this.remote.jwks();
      const imported = await Promise.all(
        (set?.keys ?? []).map((jwk) => importVerificationKey(jwk, this.config.algorithms)),
      );
      const keys = imported.filter((key): key is ImportedKey => key !== undefined);
      this.keys = keys;
      this.loaded = true;
      this.audit.emit({
        name: 'jwks.refresh.success',
        tenant: this.tenant,
        detail: { url: this.config.url, keys: keys.length, skipped: imported.length - keys.length },
      });
    } catch (error) {
      this.audit.emit({
        name: 'jwks.refresh.failure',
        tenant: this.tenant,
        detail: { url: this.config.url, reason: error instanceof Error ? error.name : 'unknown' },
      });
      throw error;
    }
  }
}
