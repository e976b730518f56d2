import { describe, expect, it } from 'vitest';
import { Deadline, DeadlineExceededError } from '../../../src/deadline/deadline.js';
import { IamUpstreamUnavailableError } from '../../../src/errors/iam-errors.js';
import type {
  IssuedToken,
  TokenEndpoint,
  TokenGrantRequest,
} from '../../../src/ory/hydra/hydra-token-endpoint.js';
import { CachedTenantServiceTokens } from '../../../src/service-tokens/tenant-service-tokens.js';
import {
  REFRESH_RETRY_MS,
  ServiceTokenCache,
  type TokenCacheSettings,
} from '../../../src/service-tokens/token-cache.js';
import { normalizeTokenRequest } from '../../../src/service-tokens/token-request.js';

/** Hydra's token endpoint as a test drives it: every request waits until the test answers it. */
class ScriptedEndpoint implements TokenEndpoint {
  readonly requests: {
    request: TokenGrantRequest;
    deadline: Deadline;
    answer(token: IssuedToken): void;
    fail(error: unknown): void;
  }[] = [];
  private issued = 0;

  issue(request: TokenGrantRequest, deadline: Deadline): Promise<IssuedToken> {
    return new Promise((answer, fail) => {
      this.requests.push({ request, deadline, answer, fail });
    });
  }

  /** Answers the latest request with a fresh token valid for `seconds`. */
  grant(seconds = 300): void {
    this.issued += 1;
    this.latest().answer({
      accessToken: `token-${this.issued}`,
      expiresInMs: seconds * 1_000,
      scope: ['inventory:reserve'],
    });
  }

  latest() {
    const request = this.requests.at(-1);
    if (request === undefined) throw new Error('no request reached the endpoint');
    return request;
  }
}

class Clock {
  ms = 1_000_000;
  readonly now = () => this.ms;
}

const RESERVE = normalizeTokenRequest({ audience: 'inventory-api', scope: 'inventory:reserve' });
const SETTINGS: TokenCacheSettings = {
  expiryMarginMs: 30_000,
  refreshAheadMs: 60_000,
  fetchBudgetMs: 5_000,
};

function cacheWith(settings: TokenCacheSettings = SETTINGS) {
  const endpoint = new ScriptedEndpoint();
  const clock = new Clock();
  const failures: unknown[] = [];
  const cache = new ServiceTokenCache(
    endpoint,
    settings,
    (error) => failures.push(error),
    clock.now,
  );
  return { endpoint, clock, failures, cache };
}

/** Lets the cache's bookkeeping of a settled request run. */
const settle = () => new Promise<void>((resolve) => setImmediate(resolve));

const longDeadline = () => new Deadline(10_000);

describe('ServiceTokenCache', () => {
  it('asks Hydra once and hands the same token out while it is usable', async () => {
    const { endpoint, cache } = cacheWith();
    const first = cache.get(RESERVE, longDeadline());
    endpoint.grant();
    expect((await first).accessToken).toBe('token-1');
    expect((await cache.get(RESERVE, longDeadline())).accessToken).toBe('token-1');
    expect(endpoint.requests).toHaveLength(1);
    expect(endpoint.latest().request).toMatchObject({
      audience: ['inventory-api'],
      scope: ['inventory:reserve'],
    });
  });

  it('keeps one token per (audience, scope) set, whatever the order of the values', async () => {
    const { endpoint, cache } = cacheWith();
    const ab = normalizeTokenRequest({ audience: 'inventory-api', scope: ['a', 'b'] });
    const ba = normalizeTokenRequest({ audience: ['inventory-api'], scope: ['b', 'a', 'a'] });
    const other = normalizeTokenRequest({ audience: 'billing-api', scope: ['a', 'b'] });
    const first = cache.get(ab, longDeadline());
    endpoint.grant();
    await first;
    expect((await cache.get(ba, longDeadline())).accessToken).toBe('token-1');
    const third = cache.get(other, longDeadline());
    endpoint.grant();
    expect((await third).accessToken).toBe('token-2');
    expect(endpoint.requests).toHaveLength(2);
  });

  it('shares one request among concurrent callers', async () => {
    const { endpoint, cache } = cacheWith();
    const callers = Array.from({ length: 20 }, () => cache.get(RESERVE, longDeadline()));
    expect(endpoint.requests).toHaveLength(1);
    endpoint.grant();
    const tokens = await Promise.all(callers);
    expect(new Set(tokens.map((token) => token.accessToken))).toEqual(new Set(['token-1']));
  });

  it('lets a caller leave at its deadline without cancelling the request the others wait for', async () => {
    const { endpoint, cache } = cacheWith();
    const impatient = new Deadline(10);
    const leaving = cache.get(RESERVE, impatient);
    const staying = cache.get(RESERVE, longDeadline());
    await expect(leaving).rejects.toBeInstanceOf(DeadlineExceededError);
    expect(endpoint.latest().deadline.signal.aborted).toBe(false);
    endpoint.grant();
    expect((await staying).accessToken).toBe('token-1');
  });

  it('keeps the request going when every caller left: its token serves the next one', async () => {
    const { endpoint, cache } = cacheWith();
    const cancelled = new Deadline(10_000);
    const leaving = cache.get(RESERVE, cancelled);
    cancelled.cancel();
    await expect(leaving).rejects.toThrow(/caller went away/);
    expect(endpoint.latest().deadline.signal.aborted).toBe(false);
    endpoint.grant();
    await settle();
    expect((await cache.get(RESERVE, longDeadline())).accessToken).toBe('token-1');
    expect(endpoint.requests).toHaveLength(1);
  });

  it('runs the request on its own budget, not on the first caller’s', async () => {
    const { endpoint, cache } = cacheWith({ ...SETTINGS, fetchBudgetMs: 4_321 });
    void cache.get(RESERVE, new Deadline(50)).catch(() => undefined);
    expect(endpoint.latest().deadline.budgetMs).toBe(4_321);
  });

  it('stops handing a token out expiryMarginMs before it expires, counted from the request', async () => {
    const { endpoint, clock, cache } = cacheWith({ ...SETTINGS, refreshAheadMs: 0 });
    const first = cache.get(RESERVE, longDeadline());
    endpoint.grant(300);
    const token = await first;
    expect(token.expiresAt.getTime()).toBe(clock.ms + 300_000);
    clock.ms += 300_000 - 30_000 - 1;
    expect((await cache.get(RESERVE, longDeadline())).accessToken).toBe('token-1');
    clock.ms += 1;
    const renewed = cache.get(RESERVE, longDeadline());
    expect(endpoint.requests).toHaveLength(2);
    endpoint.grant(300);
    expect((await renewed).accessToken).toBe('token-2');
  });

  it('caps the margin at half the lifetime of a short-lived token', async () => {
    const { endpoint, clock, cache } = cacheWith({ ...SETTINGS, refreshAheadMs: 0 });
    const first = cache.get(RESERVE, longDeadline());
    endpoint.grant(20);
    await first;
    clock.ms += 9_999;
    expect((await cache.get(RESERVE, longDeadline())).accessToken).toBe('token-1');
    clock.ms += 1;
    void cache.get(RESERVE, longDeadline());
    expect(endpoint.requests).toHaveLength(2);
  });

  it('refreshes ahead in the background: callers keep the cached token, one request renews it', async () => {
    const { endpoint, clock, cache } = cacheWith();
    const first = cache.get(RESERVE, longDeadline());
    endpoint.grant(300);
    await first;
    // usable until 270 s; refresh-ahead starts 60 s before that.
    clock.ms += 210_000 - 1;
    await cache.get(RESERVE, longDeadline());
    expect(endpoint.requests).toHaveLength(1);
    clock.ms += 1;
    const during = await Promise.all([1, 2, 3].map(() => cache.get(RESERVE, longDeadline())));
    expect(during.map((token) => token.accessToken)).toEqual(['token-1', 'token-1', 'token-1']);
    expect(endpoint.requests).toHaveLength(2);
    endpoint.grant(300);
    await settle();
    expect((await cache.get(RESERVE, longDeadline())).accessToken).toBe('token-2');
  });

  it('serves the cached token through a failed refresh, and waits before trying again', async () => {
    const { endpoint, clock, failures, cache } = cacheWith();
    const first = cache.get(RESERVE, longDeadline());
    endpoint.grant(300);
    await first;
    clock.ms += 210_000;
    await cache.get(RESERVE, longDeadline());
    const hydraDown = new IamUpstreamUnavailableError(undefined, 5, {
      code: 'service_token.unavailable',
    });
    endpoint.latest().fail(hydraDown);
    await settle();
    expect(failures).toEqual([hydraDown]);
    expect(cache.size).toBe(1);
    expect((await cache.get(RESERVE, longDeadline())).accessToken).toBe('token-1');
    expect(endpoint.requests).toHaveLength(2);
    clock.ms += REFRESH_RETRY_MS;
    await cache.get(RESERVE, longDeadline());
    expect(endpoint.requests).toHaveLength(3);
  });

  it('fails every waiter of a failed request with its error, reports it once, and caches nothing', async () => {
    const { endpoint, failures, cache } = cacheWith();
    const callers = [1, 2, 3].map(() => cache.get(RESERVE, longDeadline()));
    const rejected = new IamUpstreamUnavailableError(undefined, 30, {
      code: 'service_token.rejected',
    });
    endpoint.latest().fail(rejected);
    for (const caller of callers) await expect(caller).rejects.toBe(rejected);
    await settle();
    expect(failures).toHaveLength(1);
    const retry = cache.get(RESERVE, longDeadline());
    expect(endpoint.requests).toHaveLength(2);
    endpoint.grant();
    expect((await retry).accessToken).toBe('token-1');
  });

  it('keeps nothing for a set Hydra refused: a caller trying audience after audience grows no map', async () => {
    const { endpoint, cache } = cacheWith();
    const refused = new IamUpstreamUnavailableError(undefined, 30, {
      code: 'service_token.rejected',
    });
    for (let attempt = 0; attempt < 50; attempt += 1) {
      const caller = cache.get(
        normalizeTokenRequest({ audience: `guessed-${String(attempt)}` }),
        longDeadline(),
      );
      expect(cache.size).toBe(1);
      endpoint.latest().fail(refused);
      await expect(caller).rejects.toBe(refused);
      await settle();
    }
    expect(cache.size).toBe(0);
  });

  it('forgets a token on invalidate: the next caller gets a new one, and the set is dropped unless a request for it is in flight', async () => {
    const { endpoint, cache } = cacheWith();
    const first = cache.get(RESERVE, longDeadline());
    endpoint.grant();
    await first;
    cache.invalidate(RESERVE.key);
    expect(cache.size).toBe(0);
    const second = cache.get(RESERVE, longDeadline());
    cache.invalidate();
    expect(cache.size).toBe(1);
    endpoint.grant();
    expect((await second).accessToken).toBe('token-2');
    expect((await cache.get(RESERVE, longDeadline())).accessToken).toBe('token-2');
    expect(endpoint.requests).toHaveLength(2);
  });
});

describe('CachedTenantServiceTokens', () => {
  it('turns a caller deadline that runs out into a 503 service_token.unavailable with Retry-After', async () => {
    const { endpoint, cache } = cacheWith();
    const tokens = new CachedTenantServiceTokens(cache, 20, undefined);
    const failure = await tokens.token({ audience: 'inventory-api' }).catch((error) => error);
    expect(failure).toBeInstanceOf(IamUpstreamUnavailableError);
    expect(failure).toMatchObject({
      code: 'service_token.unavailable',
      retryAfterSeconds: 1,
      reason: expect.stringMatching(/deadline of 20 ms/),
    });
    expect(failure.getStatus()).toBe(503);
    expect(endpoint.latest().deadline.signal.aborted).toBe(false);
  });

  it('stops waiting when the caller’s signal aborts', async () => {
    const { cache } = cacheWith();
    const controller = new AbortController();
    const tokens = new CachedTenantServiceTokens(cache, 10_000, controller.signal);
    const waiting = tokens.token({ audience: 'inventory-api' });
    controller.abort();
    await expect(waiting).rejects.toMatchObject({
      code: 'service_token.unavailable',
      reason: expect.stringMatching(/caller went away/),
    });
  });

  it('refuses a request without an audience before asking Hydra', async () => {
    const { endpoint, cache } = cacheWith();
    const tokens = new CachedTenantServiceTokens(cache, 1_000, undefined);
    await expect(tokens.token({ audience: [] })).rejects.toThrow(/audience: at least one/);
    await expect(tokens.token({ audience: 'inventory-api', scope: 'a b' })).rejects.toThrow(
      /scope: every value must be a non-empty string without spaces/,
    );
    expect(() => tokens.fetch({ audience: '' })).toThrow(/audience: every value/);
    expect(endpoint.requests).toHaveLength(0);
  });
});
