import type { VerifyKeyObjectInput } from 'node:crypto';
import type { AuditEmitter } from '../audit/audit-emitter.js';
import type { JwtAlgorithm, ValidatedJwksConfig } from '../config/tenant-config.js';
import { IamUpstreamUnavailableError } from '../errors/iam-errors.js';
import {
  ATTR_HTTP_METHOD,
  ATTR_SERVER_ADDRESS,
  ATTR_SERVER_PORT,
} from '../telemetry/telemetry-names.js';
import { NOOP_UPSTREAM_TRACER, type UpstreamTracer } from '../telemetry/upstream-span.js';
import { fetchJwks, JwksFetchError } from './fetch-jwks.js';
import { type ImportedKey, importVerificationKey } from './imported-key.js';

/** While the JWKS is failing (never loaded, or its last fetch failed), it is fetched about this often. */
const FAILING_RETRY_MS = 1_000;

/** What the health indicator shows of a key store. */
export interface JwksStoreStatus {
  /** Usable keys held. */
  readonly keys: number;
  /** Milliseconds since the last successful fetch; null when none has succeeded yet. */
  readonly lastRefreshAgeMs: number | null;
  /** The last fetch failed: unknown kids get 503, and the fetch is retried about once a second. */
  readonly failing: boolean;
  /** The keys are older than `maxStaleMs`: every request gets 503 until a fetch succeeds. */
  readonly stale: boolean;
}

const ignore = () => undefined;

/**
 * A tenant's JWKS: fetched with a capped body, imported once into node KeyObjects, refreshed every
 * `refreshIntervalMs`. A fetch that fails, or brings no usable key, never replaces the keys in use;
 * those keep verifying for up to `maxStaleMs` after the last successful fetch. An unknown `kid`
 * triggers one refetch per `cooldownMs`, or about one per second while the JWKS is failing;
 * concurrent misses share one fetch. When no fresh key set could answer for a `kid` (never
 * loaded, stale, or failing), the answer is 503, never a 401 for a key that may exist.
 */
export class JwksKeyStore {
  private keys: readonly ImportedKey[] = [];
  private lastSuccessAt: number | undefined;
  private lastFetchFailed = false;
  private lastAttemptAt = Number.NEGATIVE_INFINITY;
  private lastMissRefetchAt = Number.NEGATIVE_INFINITY;
  private inflight: Promise<void> | undefined;
  private inflightForMiss = false;
  private running = false;
  private refreshTimer: NodeJS.Timeout | undefined;
  private retryTimer: NodeJS.Timeout | undefined;

  constructor(
    private readonly config: ValidatedJwksConfig,
    private readonly tenant: string,
    private readonly audit: AuditEmitter,
    private readonly now: () => number = Date.now,
    private readonly telemetry: UpstreamTracer = NOOP_UPSTREAM_TRACER,
  ) {}

  /** Starts the first fetch (not awaited), the periodic refresh and the retries while failing. */
  start(): void {
    this.running = true;
    this.refresh().catch(ignore);
    this.refreshTimer = setInterval(() => {
      this.refresh().catch(ignore);
    }, this.config.refreshIntervalMs);
    this.refreshTimer.unref();
  }

  close(): void {
    this.running = false;
    clearInterval(this.refreshTimer);
    clearTimeout(this.retryTimer);
    this.refreshTimer = undefined;
    this.retryTimer = undefined;
  }

  /**
   * The `crypto.verify` input for this kid and algorithm, or undefined when a healthy JWKS has no
   * such key even after a refetch. Synchronous on a hit: the hot path awaits nothing. Throws
   * {@link IamUpstreamUnavailableError} when the JWKS cannot say whether the key exists.
   */
  resolve(
    kid: string | undefined,
    alg: JwtAlgorithm,
  ): VerifyKeyObjectInput | undefined | Promise<VerifyKeyObjectInput | undefined> {
    if (this.fresh(this.now())) {
      const hit = this.lookup(kid, alg);
      if (hit !== undefined) return hit;
    }
    return this.resolveMiss(kid, alg);
  }

  status(): JwksStoreStatus {
    const now = this.now();
    const loaded = this.lastSuccessAt !== undefined;
    return {
      keys: this.keys.length,
      lastRefreshAgeMs: this.lastSuccessAt === undefined ? null : now - this.lastSuccessAt,
      failing: this.lastFetchFailed,
      stale: loaded && !this.fresh(now),
    };
  }

  /** One fetch at a time; callers arriving meanwhile share it. */
  refresh(): Promise<void> {
    if (this.inflight === undefined) {
      this.lastAttemptAt = this.now();
      this.inflightForMiss = false;
      this.inflight = this.load().finally(() => {
        this.inflight = undefined;
      });
    }
    return this.inflight;
  }

  private async resolveMiss(
    kid: string | undefined,
    alg: JwtAlgorithm,
  ): Promise<VerifyKeyObjectInput | undefined> {
    await this.refetchForMiss(kid, alg);
    const now = this.now();
    if (this.fresh(now)) {
      const key = this.lookup(kid, alg);
      if (key !== undefined) return key;
    }
    if (this.failing(now)) {
      const message =
        this.lastSuccessAt === undefined
          ? 'The signing keys are not available yet.'
          : 'The signing keys cannot be refreshed.';
      throw new IamUpstreamUnavailableError(message, 1);
    }
    return undefined;
  }

  /**
   * A miss may mean a rotated key, so it may refetch: at most once per `cooldownMs` while the JWKS
   * is healthy (random kids cannot make the service hammer it), about once a second while it is
   * failing. Only a successful refetch starts the cooldown: one that failed would otherwise hide
   * a rotated key for a whole cooldown after the JWKS came back. A miss joins a fetch already in
   * flight; if that was a periodic refresh, it may have started before the key was published, so
   * a miss it did not answer still gets its own refetch (within the same limits).
   */
  private async refetchForMiss(kid: string | undefined, alg: JwtAlgorithm): Promise<void> {
    if (this.inflight !== undefined) {
      const joinedMissRefetch = this.inflightForMiss;
      await this.inflight.catch(ignore);
      if (joinedMissRefetch || this.lookup(kid, alg) !== undefined) return;
      if (this.inflight !== undefined) {
        await this.inflight.catch(ignore);
        return;
      }
    }
    const now = this.now();
    const mayFetch = this.failing(now)
      ? now - this.lastAttemptAt >= FAILING_RETRY_MS
      : now - this.lastMissRefetchAt >= this.config.cooldownMs;
    if (!mayFetch) return;
    const fetching = this.refresh();
    this.inflightForMiss = true;
    const succeeded = await fetching.then(
      () => true,
      () => false,
    );
    if (succeeded) this.lastMissRefetchAt = now;
  }

  /** Keys from a successful fetch no older than `maxStaleMs`. */
  private fresh(now: number): boolean {
    return this.lastSuccessAt !== undefined && now - this.lastSuccessAt <= this.config.maxStaleMs;
  }

  /** The keys held cannot be trusted to be complete: a kid they miss may exist. */
  private failing(now: number): boolean {
    return this.lastFetchFailed || !this.fresh(now);
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

  private async load(): Promise<void> {
    const span = this.telemetry.start('jwks', 'JWKS fetch');
    const { hostname, port } = new URL(this.config.url);
    span.set({
      [ATTR_HTTP_METHOD]: 'GET',
      [ATTR_SERVER_ADDRESS]: hostname,
      ...(port !== '' && { [ATTR_SERVER_PORT]: Number(port) }),
    });
    try {
      const jwks = await span.within(() => fetchJwks(this.config.url, this.config));
      const imported = await Promise.all(
        jwks.map((jwk) => importVerificationKey(jwk, this.config.algorithms)),
      );
      const keys = imported.filter((key): key is ImportedKey => key !== undefined);
      // An emptied or poisoned set would turn every valid token into a 401: keep the keys in use.
      if (keys.length === 0) {
        throw new JwksFetchError('no_usable_key', 'The JWKS has no usable key.');
      }
      this.keys = keys;
      this.lastSuccessAt = this.now();
      this.lastFetchFailed = false;
      clearTimeout(this.retryTimer);
      this.retryTimer = undefined;
      this.audit.emit({
        name: 'jwks.refresh.success',
        tenant: this.tenant,
        detail: { url: this.config.url, keys: keys.length, skipped: imported.length - keys.length },
      });
    } catch (error) {
      span.fail(error instanceof JwksFetchError ? error.reason : 'unknown');
      this.lastFetchFailed = true;
      this.scheduleRetry();
      this.audit.emit({
        name: 'jwks.refresh.failure',
        tenant: this.tenant,
        detail: {
          url: this.config.url,
          reason: error instanceof JwksFetchError ? error.reason : 'unknown',
        },
      });
      throw error;
    } finally {
      span.end();
    }
  }

  /** While failing, a started store fetches about once a second without waiting for a request. */
  private scheduleRetry(): void {
    if (!this.running || this.retryTimer !== undefined) return;
    this.retryTimer = setTimeout(() => {
      this.retryTimer = undefined;
      this.refresh().catch(ignore);
    }, FAILING_RETRY_MS);
    this.retryTimer.unref();
  }
}
