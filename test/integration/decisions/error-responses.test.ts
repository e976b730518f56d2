/**
 * `errors.map` and `IamExceptionFilter` on real Nest apps (Express and Fastify) whose identities
 * are Oathkeeper-style JWTs and whose Keto is a closed port: every decision of the guards (401,
 * 403, 503) and a 503 thrown by a service inside a handler keep their status, their `code` and
 * `Retry-After` in the app's own shape; a mapper with a bug ends in the library's own answer.
 */
import { Controller, Get, HttpException, Inject, UseFilters } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type IamErrorMapper,
  IamExceptionFilter,
  type IamHttpError,
  PermissionService,
  RequirePermission,
  RequireRole,
} from '../../../src/index.js';
import { type JsonResponse, PLATFORMS, request } from '../../support/nest-app.js';
import { freePorts } from '../../support/ory/ports.js';
import { type SignedApp, startSignedApp } from '../../support/signed-app.js';

/** The app's own exception class, as many Nest apps have one. */
class ApiException extends HttpException {
  constructor(code: string, status: number) {
    super({ error: { type: 'forbidden', code } }, status);
  }
}

/**
 * A circular body cannot be sent as JSON: a mapper answering one has a bug.
 */
function circular(): object {
  const body: Record<string, unknown> = {};
  body.self = body;
  return body;
}

/**
 * The ways a mapper can be wrong, picked per request by `X-Mapper-Bug`. Typed `unknown`: a
 * JavaScript app, or one that casts, can answer anything.
 */
const BUGS: Readonly<Record<string, (error: IamHttpError) => unknown>> = {
  throws: () => {
    throw new TypeError('mapper bug');
  },
  'ok-status': () => new HttpException({ ok: true }, 200),
  'server-error': () => new HttpException({ oops: true }, 500),
  async: (error) => Promise.resolve({ error: { code: error.code } }),
  number: () => 42,
  null: () => null,
  'plain-error': () => new Error('not an HttpException'),
  circular: () => circular(),
  'circular-exception': (error) => new HttpException(circular(), error.getStatus()),
  bigint: (error) => ({ error: { code: error.code, id: 1n } }),
};

/**
 * The mapper under test: 403s become the app's exception class, everything else the app's body;
 * `X-Mapper-Bug: keep` keeps the library's error, any other value picks a bug.
 */
let kept = 0;
const map: IamErrorMapper = (error, { request }) => {
  const bug = request.header('x-mapper-bug');
  if (bug === 'keep') {
    kept += 1;
    return undefined;
  }
  const buggy = bug === undefined ? undefined : BUGS[bug];
  if (buggy !== undefined) return buggy(error) as object;
  if (error.getStatus() === 403) return new ApiException(error.code, 403);
  return { error: { code: error.code, status: error.getStatus(), path: request.path } };
};

const tuple = { namespace: 'orders', object: 'o-1', relation: 'view', subject: 'alice' };

@Controller('orders')
class OrdersController {
  constructor(@Inject(PermissionService) private readonly permissions: PermissionService) {}

  @Get()
  list() {
    return { orders: [] };
  }

  @Get('admin')
  @RequireRole('admin')
  admin() {
    return { ok: true };
  }

  @Get('checked')
  @RequirePermission({ namespace: 'orders', relation: 'view', object: 'o-1' })
  checked() {
    return { ok: true };
  }

  /** Keto is asked by the handler: an outage is a 503 thrown by the service, not a guard's. */
  @Get('service')
  async service() {
    return { allowed: await this.permissions.forTenant('default').check(tuple) };
  }
}

const LIBRARY_BODY_KEYS = ['code', 'message', 'statusCode'];

function expectLibraryAnswer(response: JsonResponse, status: number, code: string): void {
  expect(response.status).toBe(status);
  expect(response.body).toMatchObject({ statusCode: status, code });
  expect(Object.keys(response.body as object).sort()).toEqual(LIBRARY_BODY_KEYS);
}

describe.each(PLATFORMS)('custom error responses on %s', (platform) => {
  let app: SignedApp;
  const get = (path: string, headers: Record<string, string> = {}) =>
    request(`${app.url}${path}`, { headers });
  const bearer = (roles: string[] = []) => ({
    Authorization: `Bearer ${app.token('alice', { metadataPublic: { roles } })}`,
  });

  beforeAll(async () => {
    const keto = `http://127.0.0.1:${(await freePorts(1))[0]}`;
    app = await startSignedApp(platform, {
      audience: 'orders-api',
      keto: { readUrl: keto },
      // Every request meets Keto's outage itself: no breaker opening on the way.
      http: { retries: 0, breaker: { enabled: false } },
      decisions: { errors: { map } },
      metadata: {
        controllers: [OrdersController],
        providers: [{ provide: APP_FILTER, useClass: IamExceptionFilter }],
      },
    });
  });
  afterAll(() => app?.close());

  it('answers a 401 of the guards in the app shape, with its status and code', async () => {
    const response = await get('/orders');
    expect(response.status).toBe(401);
    expect(response.body).toEqual({
      error: { code: 'auth.failure.missing_credentials', status: 401, path: '/orders' },
    });
  });

  it("answers a 403 with the app's exception class, with its status and code", async () => {
    const response = await get('/orders/admin', bearer(['reader']));
    expect(response.status).toBe(403);
    expect(response.body).toEqual({ error: { type: 'forbidden', code: 'authz.role.deny' } });
  });

  it('answers a 503 of the guards in the app shape with Retry-After', async () => {
    const response = await get('/orders/checked', bearer());
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.body).toEqual({
      error: { code: 'auth.upstream_unavailable', status: 503, path: '/orders/checked' },
    });
  });

  it('gives a 503 thrown by a service in a handler Retry-After and the app shape (IamExceptionFilter)', async () => {
    const response = await get('/orders/service', bearer());
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect(response.body).toEqual({
      error: { code: 'auth.upstream_unavailable', status: 503, path: '/orders/service' },
    });
    expect(JSON.stringify(response.body)).not.toContain('127.0.0.1');
  });

  it('lets an allowed request through untouched', async () => {
    const response = await get('/orders', bearer());
    expect(response).toMatchObject({ status: 200, body: { orders: [] } });
  });

  it('keeps the library error when the mapper answers undefined, asking it once', async () => {
    kept = 0;
    expectLibraryAnswer(
      await get('/orders', { 'X-Mapper-Bug': 'keep' }),
      401,
      'auth.failure.missing_credentials',
    );
    // The guard's error reaches IamExceptionFilter next, which does not ask again.
    expect(kept).toBe(1);
    const outage = await get('/orders/service', { ...bearer(), 'X-Mapper-Bug': 'keep' });
    expectLibraryAnswer(outage, 503, 'auth.upstream_unavailable');
    expect(outage.headers.get('retry-after')).toBe('5');
  });

  // A mapper is app code on the refusal path: whatever its bug, the refusal stands, with the
  // library's own status and body, never a 200 and never a 500.
  describe.each(Object.keys(BUGS))('a mapper with the bug %s', (bug) => {
    it('still ends in the 401 of the guards', async () => {
      expectLibraryAnswer(
        await get('/orders', { 'X-Mapper-Bug': bug }),
        401,
        'auth.failure.missing_credentials',
      );
    });

    it('still ends in the 403 of the guards', async () => {
      expectLibraryAnswer(
        await get('/orders/admin', { ...bearer(['reader']), 'X-Mapper-Bug': bug }),
        403,
        'authz.role.deny',
      );
    });

    it('still ends in a 503 with Retry-After, from the guards and from a service', async () => {
      for (const path of ['/orders/checked', '/orders/service']) {
        const response = await get(path, { ...bearer(), 'X-Mapper-Bug': bug });
        expectLibraryAnswer(response, 503, 'auth.upstream_unavailable');
        expect(response.headers.get('retry-after')).toBe('5');
      }
    });
  });
});

/** The filter on one controller only, for an app that keeps the library's error shape. */
@Controller('filtered')
@UseFilters(IamExceptionFilter)
class FilteredController {
  constructor(@Inject(PermissionService) private readonly permissions: PermissionService) {}

  @Get()
  async check() {
    return { allowed: await this.permissions.forTenant('default').check(tuple) };
  }
}

describe.each(PLATFORMS)('@UseFilters(IamExceptionFilter) without a mapper on %s', (platform) => {
  let app: SignedApp;
  const get = (path: string) =>
    request(`${app.url}${path}`, {
      headers: { Authorization: `Bearer ${app.token('alice')}` },
    });

  beforeAll(async () => {
    app = await startSignedApp(platform, {
      audience: 'orders-api',
      keto: { readUrl: `http://127.0.0.1:${(await freePorts(1))[0]}` },
      // Every request meets Keto's outage itself: no breaker opening on the way.
      http: { retries: 0, breaker: { enabled: false } },
      metadata: { controllers: [FilteredController, OrdersController] },
    });
  });
  afterAll(() => app?.close());

  it("answers a service's 503 with the library body and Retry-After", async () => {
    const response = await get('/filtered');
    expectLibraryAnswer(response, 503, 'auth.upstream_unavailable');
    expect(response.headers.get('retry-after')).toBe('5');
  });

  it('is what adds Retry-After: a controller without it answers the 503 without the header', async () => {
    const response = await get('/orders/service');
    expectLibraryAnswer(response, 503, 'auth.upstream_unavailable');
    expect(response.headers.get('retry-after')).toBeNull();
  });
});

/** The 503s of an open circuit breaker are the library's errors too: same treatment. */
describe.each(PLATFORMS)("an open breaker's 503 inside a handler on %s", (platform) => {
  let app: SignedApp;

  beforeAll(async () => {
    app = await startSignedApp(platform, {
      audience: 'orders-api',
      keto: { readUrl: `http://127.0.0.1:${(await freePorts(1))[0]}` },
      http: { retries: 0, breaker: { failureThreshold: 1, halfOpenAfterMs: 60_000 } },
      decisions: { errors: { map } },
      metadata: {
        controllers: [OrdersController],
        providers: [{ provide: APP_FILTER, useClass: IamExceptionFilter }],
      },
    });
  });
  afterAll(() => app?.close());

  it('answers upstream.circuit_open in the app shape with Retry-After', async () => {
    const headers = { Authorization: `Bearer ${app.token('alice')}` };
    const first = await request(`${app.url}/orders/service`, { headers });
    expect(first.body).toMatchObject({ error: { code: 'auth.upstream_unavailable' } });
    const refused = await request(`${app.url}/orders/service`, { headers });
    expect(refused.status).toBe(503);
    expect(refused.body).toEqual({
      error: { code: 'upstream.circuit_open', status: 503, path: '/orders/service' },
    });
    expect(Number(refused.headers.get('retry-after'))).toBeGreaterThan(0);
  });
});
