import type { VerifyKeyObjectInput } from 'node:crypto';
import type { ValidatedOathkeeperConfig, ValidatedTenantConfig } from '../config/tenant-config.js';
import { type Deadline, DeadlineExceededError } from '../deadline/deadline.js';
import { deadlineFailure, withinDeadline } from '../deadline/deadline-failure.js';
import { IamHttpError, IamUnauthorizedError } from '../errors/iam-errors.js';
import { readClaimPath } from '../identity/claim-path.js';
import { checkTenantClaim } from '../identity/tenant-claim.js';
import { claimOnce, claimOnceSync } from '../replay/claim-once.js';
import { InMemoryReplayCache } from '../replay/in-memory-replay-cache.js';
import type { ReplayCache, ReplayClaimContext } from '../replay/replay-cache.js';
import {
  NOOP_UPSTREAM_TRACER,
  type ReplayRefusalReason,
  type UpstreamSpan,
  type UpstreamTracer,
} from '../telemetry/upstream-span.js';
import { checkClaimTypes, type TypedClaims } from './claim-types.js';
import { type CompactJws, malformed, parseCompactJws } from './compact-jws.js';
import type { JwksKeyStore } from './jwks-key-store.js';
import { type CheckedHeader, checkHeader } from './jws-header.js';
import { scopeFromClaims } from './scope-claim.js';
import { verifySignature } from './verify-signature.js';

/**
 * A token that passed every check, with its claims: a user's, or a machine caller's (`service`)
 * exactly when `iss` is the tenant's `serviceIssuer`, then with the scopes its `scope` claim grants.
 */
export type VerifiedJwt =
  | (VerifiedClaims & { readonly kind: 'user'; readonly scope: undefined })
  | (VerifiedClaims & { readonly kind: 'service'; readonly scope: readonly string[] });

interface VerifiedClaims {
  readonly claims: Readonly<Record<string, unknown>>;
  readonly typed: TypedClaims;
}

/**
 * A service rule's template writes `client_id` from what `oauth2_introspection` found; Oathkeeper
 * writes `sub` itself, from the same introspection. A user rule misconfigured with the service
 * issuer renders an empty `client_id` (no OAuth2 client behind it), so the two must agree.
 */
function serviceScopeOf(claims: Readonly<Record<string, unknown>>, sub: string): readonly string[] {
  const clientId = claims.client_id;
  if (typeof clientId !== 'string' || clientId === '') {
    throw malformed('client_id is missing: the service rule did not authenticate an OAuth2 client');
  }
  if (clientId !== sub) throw malformed('client_id is not the subject');
  return scopeFromClaims(claims);
}

function fail(
  code:
    | 'auth.failure.invalid_signature'
    | 'auth.failure.expired'
    | 'auth.failure.not_yet_valid'
    | 'auth.failure.issuer_mismatch'
    | 'auth.failure.audience_mismatch'
    | 'auth.failure.replay',
): IamUnauthorizedError {
  return new IamUnauthorizedError(code);
}

/**
 * The earliest moment the token can have been accepted, on this host's clock: a token issued by a
 * clock up to `clockSkewMs` ahead of ours can have been presented that much before its `iat`.
 */
function usableFromMs(claims: TypedClaims, clockSkewMs: number): number | undefined {
  const { iat, nbf } = claims;
  if (iat === undefined && nbf === undefined) return undefined;
  return Math.max(iat ?? nbf ?? 0, nbf ?? iat ?? 0) * 1_000 - clockSkewMs;
}

/**
 * Verifies an Oathkeeper JWT in the SPEC's order, failing closed at the first failure:
 * parse → header → claim types → key → signature → exp/age/nbf → iss/aud → tenant → a service's
 * client_id and scope → jti → replay. Replay runs last, so only tokens that passed everything else
 * are remembered. `iss` equal to `serviceIssuer` makes the token a machine caller's.
 */
export class OathkeeperJwtVerifier {
  private readonly oathkeeper: ValidatedOathkeeperConfig;
  private readonly skewSeconds: number;
  /** Only with replay protection: it bounds how long a jti must be held, and nothing else. */
  private readonly maxTokenAgeSeconds: number | undefined;
  /** The replay cache when it answers in-process: claimed without a promise. */
  private readonly syncReplayCache: InMemoryReplayCache | undefined;

  constructor(
    private readonly tenant: ValidatedTenantConfig,
    oathkeeper: ValidatedOathkeeperConfig,
    private readonly keys: JwksKeyStore,
    private readonly replayCache: ReplayCache,
    private readonly now: () => number = Date.now,
    private readonly telemetry: UpstreamTracer = NOOP_UPSTREAM_TRACER,
  ) {
    this.oathkeeper = oathkeeper;
    this.skewSeconds = oathkeeper.clockSkewMs / 1_000;
    const { enabled, maxTokenAgeMs } = oathkeeper.replayProtection;
    this.maxTokenAgeSeconds =
      enabled && maxTokenAgeMs !== false ? maxTokenAgeMs / 1_000 : undefined;
    // Not a subclass that changed how a claim is made: its own `claim` must run.
    this.syncReplayCache =
      replayCache instanceof InMemoryReplayCache &&
      replayCache.claim === InMemoryReplayCache.prototype.claim
        ? replayCache
        : undefined;
  }

  /**
   * Checks everything except replay; separate so a verified-token cache can skip it for reused
   * tokens. A key missing from the cache is waited for (one shared JWKS refetch) only as long as
   * `deadline` allows.
   */
  async verifyWithoutReplay(token: string, deadline?: Deadline): Promise<VerifiedJwt> {
    return this.verifyWithoutReplayNow(token, deadline);
  }

  /**
   * Everything, replay last. The replay store's call is bounded by its own timeout and is not
   * started once `deadline` has run out.
   */
  async verify(token: string, deadline?: Deadline): Promise<VerifiedJwt> {
    return this.verifyNow(token, deadline);
  }

  /**
   * `verify` without a promise when nothing has to be waited for: the key is cached and the replay
   * cache answers in-process (the default `InMemoryReplayCache`). A JWKS refetch or a Redis claim
   * makes it a promise. Throws what `verify` rejects with: the same checks, in the same order.
   */
  verifyNow(token: string, deadline?: Deadline): VerifiedJwt | Promise<VerifiedJwt> {
    const verified = this.verifyWithoutReplayNow(token, deadline);
    return verified instanceof Promise
      ? verified.then((checked) => this.checkReplay(checked, deadline))
      : this.checkReplay(verified, deadline);
  }

  /** `verifyWithoutReplay`, a promise only while a key missing from the cache is fetched. */
  verifyWithoutReplayNow(token: string, deadline?: Deadline): VerifiedJwt | Promise<VerifiedJwt> {
    const jws = parseCompactJws(token, this.oathkeeper.maxTokenBytes);
    const header = checkHeader(jws.header, this.oathkeeper.jwks?.algorithms ?? []);
    const typed = checkClaimTypes(jws.payload, this.now() / 1_000, this.skewSeconds);
    const found = this.keys.resolve(header.kid, header.alg);
    return found instanceof Promise
      ? this.awaitKey(found, deadline).then((key) => this.checkSigned(jws, header, typed, key))
      : this.checkSigned(jws, header, typed, found);
  }

  /** The signature, then the times, issuer, audience and tenant. */
  private checkSigned(
    { payload, signingInput, signature }: CompactJws,
    { alg }: CheckedHeader,
    typed: TypedClaims,
    key: VerifyKeyObjectInput | undefined,
  ): VerifiedJwt {
    if (key === undefined || !verifySignature(alg, key, signingInput, signature)) {
      throw fail('auth.failure.invalid_signature');
    }
    this.checkTimes(typed, this.now() / 1_000);
    const service = this.isService(typed);
    this.checkAudience(typed);
    this.checkTenant(payload);
    return service
      ? { claims: payload, typed, kind: 'service', scope: serviceScopeOf(payload, typed.sub) }
      : { claims: payload, typed, kind: 'user', scope: undefined };
  }

  /** The replay step, last; a promise only when the replay cache is not in-process. */
  private checkReplay(
    verified: VerifiedJwt,
    deadline: Deadline | undefined,
  ): VerifiedJwt | Promise<VerifiedJwt> {
    const { replayProtection, clockSkewMs } = this.oathkeeper;
    if (!replayProtection.enabled) return verified;
    // Required by the replay step (SPEC step 8), so checked here: a token failing an earlier
    // step (signature, time, iss/aud, tenant) gets that step's code, not this one.
    if (verified.typed.jti === undefined) {
      throw malformed('jti is missing and replay protection is on');
    }
    // Held for as long as the token could still be accepted: never less, so never replayable.
    const ttlMs = Math.max(
      replayProtection.ttlMs,
      Math.ceil(this.acceptedUntil(verified.typed) * 1_000 + clockSkewMs - this.now()),
    );
    if (deadline !== undefined && deadline.remainingMs() === 0) {
      throw deadlineFailure('Replay store', new DeadlineExceededError(deadline.budgetMs));
    }
    const first = this.claim(verified.typed, ttlMs);
    if (first === true) return verified;
    if (first === false) throw fail('auth.failure.replay');
    return first.then((claimed) => {
      if (!claimed) throw fail('auth.failure.replay');
      return verified;
    });
  }

  /** Records the token's jti in the replay store, in a span of its own. */
  private claim(claims: TypedClaims, ttlMs: number): boolean | Promise<boolean> {
    const span = this.telemetry.start('replay', 'Replay store claim');
    const key = `${this.tenant.name}:${claims.jti}`;
    const context = {
      tenant: this.tenant.name,
      subject: claims.sub,
      usableFromMs: usableFromMs(claims, this.oathkeeper.clockSkewMs),
    };
    const inProcess = this.syncReplayCache;
    if (inProcess !== undefined) {
      try {
        return span.within(() => claimOnceSync(inProcess, key, ttlMs, context, this.onRefused));
      } catch (error) {
        span.fail(error instanceof IamHttpError ? error.code : 'unknown');
        throw error;
      } finally {
        span.end();
      }
    }
    return this.claimAsync(span, key, ttlMs, context);
  }

  private async claimAsync(
    span: UpstreamSpan,
    key: string,
    ttlMs: number,
    context: ReplayClaimContext,
  ): Promise<boolean> {
    try {
      return await span.within(() =>
        claimOnce(this.replayCache, key, ttlMs, context, this.onRefused),
      );
    } catch (error) {
      span.fail(error instanceof IamHttpError ? error.code : 'unknown');
      throw error;
    } finally {
      span.end();
    }
  }

  private readonly onRefused = (reason: ReplayRefusalReason): void =>
    this.telemetry.replayRefused(reason);

  private awaitKey(
    found: Promise<VerifyKeyObjectInput | undefined>,
    deadline: Deadline | undefined,
  ): Promise<VerifyKeyObjectInput | undefined> {
    return deadline === undefined ? found : withinDeadline('JWKS refetch', deadline, found);
  }

  /** When the token stops being accepted (before the skew): its `exp`, or earlier by its age. */
  private acceptedUntil(claims: TypedClaims): number {
    const maxAge = this.maxTokenAgeSeconds;
    if (maxAge === undefined || claims.iat === undefined) return claims.exp;
    return Math.min(claims.exp, claims.iat + maxAge);
  }

  private checkTimes(claims: TypedClaims, nowSeconds: number): void {
    if (claims.exp + this.skewSeconds <= nowSeconds) throw fail('auth.failure.expired');
    if (this.maxTokenAgeSeconds !== undefined) {
      // Without iat the age is unknown, and so is how long its jti would have to be held.
      if (claims.iat === undefined) throw malformed('iat is missing and maxTokenAgeMs is set');
      if (this.acceptedUntil(claims) + this.skewSeconds <= nowSeconds) {
        throw fail('auth.failure.expired');
      }
    }
    if (claims.nbf !== undefined && claims.nbf - this.skewSeconds > nowSeconds) {
      throw fail('auth.failure.not_yet_valid');
    }
  }

  /**
   * Whether `iss` names a machine caller; throws when it names neither issuer. A user's token
   * costs the one comparison it always did: the service issuer is looked at only on a mismatch.
   */
  private isService({ iss }: TypedClaims): boolean {
    const { issuer, serviceIssuer } = this.oathkeeper;
    if (iss === issuer) return false;
    if (serviceIssuer !== undefined && iss === serviceIssuer) return true;
    if (issuer !== undefined) throw fail('auth.failure.issuer_mismatch');
    return false;
  }

  private checkAudience(claims: TypedClaims): void {
    const { audience } = this.oathkeeper;
    if (audience !== undefined && !claims.aud.includes(audience)) {
      throw fail('auth.failure.audience_mismatch');
    }
  }

  private checkTenant(payload: Readonly<Record<string, unknown>>): void {
    const { tenant: claim, allowMissingTenant } = this.tenant.claims;
    checkTenantClaim(readClaimPath(payload, claim), this.tenant.name, allowMissingTenant);
  }
}
