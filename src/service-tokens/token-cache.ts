import type { Deadline } from '../deadline/deadline.js';
import { SharedFlight } from '../deadline/shared-flight.js';
import type { IssuedToken, TokenEndpoint } from '../ory/hydra/hydra-token-endpoint.js';
import { ServiceToken } from './service-token.js';
import type { NormalizedTokenRequest } from './token-request.js';

/** How long the cache trusts and renews its tokens (the tenant's `serviceTokens` and `http`). */
export interface TokenCacheSettings {
  readonly expiryMarginMs: number;
  readonly refreshAheadMs: number;
  /** Budget of one request to Hydra, retries included, whoever waits for it. */
  readonly fetchBudgetMs: number;
}

/** A background refresh that failed is not tried again before this, however many callers come. */
export const REFRESH_RETRY_MS = 1_000;

interface CachedToken {
  readonly token: ServiceToken;
  /** From then on a caller triggers a background refresh. */
  readonly refreshFrom: number;
  /** From then on the token is not handed out. */
  readonly usableUntil: number;
}

interface Slot {
  cached: CachedToken | undefined;
  flight: SharedFlight<CachedToken> | undefined;
  refreshBlockedUntil: number;
}

/**
 * Service tokens per (audience, scope) set. A caller gets the cached token while it is usable;
 * without one, it joins the one request in flight for its set (a {@link SharedFlight} on a budget
 * of its own, which outlives callers that give up: the token it brings serves the next ones) for
 * at most its own deadline. A caller in the refresh-ahead window gets the cached token and starts
 * the renewal nobody waits for. Failed requests are not cached: the next caller tries again, and
 * the tenant's breaker (`http.breaker`) stops a run of them.
 */
export class ServiceTokenCache {
  private readonly slots = new Map<string, Slot>();

  constructor(
    private readonly endpoint: TokenEndpoint,
    private readonly settings: TokenCacheSettings,
    /** Told of every failed request to Hydra, once per request whoever waited for it. */
    private readonly onFailure: (error: unknown, request: NormalizedTokenRequest) => void,
    private readonly now: () => number = () => Date.now(),
  ) {}

  async get(request: NormalizedTokenRequest, deadline: Deadline): Promise<ServiceToken> {
    const slot = this.slotOf(request.key);
    const cached = slot.cached;
    const now = this.now();
    if (cached !== undefined && now < cached.usableUntil) {
      if (
        now >= cached.refreshFrom &&
        slot.flight === undefined &&
        now >= slot.refreshBlockedUntil
      ) {
        this.start(slot, request);
      }
      return cached.token;
    }
    // A caller already gone starts nothing: the request would outlive it for nobody.
    if (deadline.signal.aborted) throw deadline.signal.reason;
    const flight = slot.flight ?? this.start(slot, request);
    return (await flight.join(deadline)).token;
  }

  /** How many (audience, scope) sets hold a token or a request in flight. */
  get size(): number {
    return this.slots.size;
  }

  /** Forgets the token of `key`, or every token; a request in flight still lands. */
  invalidate(key?: string): void {
    const keys = key === undefined ? [...this.slots.keys()] : [key];
    for (const each of keys) {
      const slot = this.slots.get(each);
      if (slot === undefined) continue;
      slot.cached = undefined;
      this.dropIfEmpty(each, slot);
    }
  }

  private slotOf(key: string): Slot {
    let slot = this.slots.get(key);
    if (slot === undefined) {
      slot = { cached: undefined, flight: undefined, refreshBlockedUntil: 0 };
      this.slots.set(key, slot);
    }
    return slot;
  }

  private start(slot: Slot, request: NormalizedTokenRequest): SharedFlight<CachedToken> {
    const flight = new SharedFlight(
      this.settings.fetchBudgetMs,
      async (deadline) => {
        // The lifetime counts from the request, not the answer: never later than Hydra's own.
        const requestedAt = this.now();
        return this.cacheable(await this.endpoint.issue(request, deadline), request, requestedAt);
      },
      { outlivesWaiters: true },
    );
    slot.flight = flight;
    flight.result.then(
      (cached) => {
        slot.cached = cached;
        if (slot.flight === flight) slot.flight = undefined;
      },
      (error: unknown) => {
        if (slot.flight === flight) slot.flight = undefined;
        slot.refreshBlockedUntil = this.now() + REFRESH_RETRY_MS;
        this.dropIfEmpty(request.key, slot);
        this.onFailure(error, request);
      },
    );
    return flight;
  }

  /**
   * A set with neither a token nor a request keeps no slot: each audience Hydra refuses, however
   * many a caller tries, would otherwise stay in the map for good.
   */
  private dropIfEmpty(key: string, slot: Slot): void {
    if (slot.cached === undefined && slot.flight === undefined && this.slots.get(key) === slot) {
      this.slots.delete(key);
    }
  }

  private cacheable(
    issued: IssuedToken,
    request: NormalizedTokenRequest,
    requestedAt: number,
  ): CachedToken {
    const lifetimeMs = issued.expiresInMs;
    const expiresAt = requestedAt + lifetimeMs;
    const usableUntil = expiresAt - Math.min(this.settings.expiryMarginMs, lifetimeMs / 2);
    const usableMs = usableUntil - requestedAt;
    const refreshFrom = usableUntil - Math.min(this.settings.refreshAheadMs, usableMs / 2);
    const token = new ServiceToken(
      issued.accessToken,
      request.audience,
      issued.scope,
      new Date(expiresAt),
    );
    return { token, refreshFrom, usableUntil };
  }
}
