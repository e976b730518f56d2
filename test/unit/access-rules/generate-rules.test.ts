import { describe, expect, it } from 'vitest';
import { compileMatchUrl } from '../../../src/access-rules/match-pattern.js';
import {
  AccessRuleConflictError,
  type AppAccessRulesOptions,
  accessRulesForApp,
  type OathkeeperAccessRule,
} from '../../../src/index.js';
import {
  AsyncOptionsModule,
  ClashingAppModule,
  CookieFeedModule,
  OathkeeperFeedModule,
  ORDERS_OPTIONS,
  OrdersAppModule,
} from './apps.js';

const ORIGIN = 'https://api.example.com';
const OPTIONS: AppAccessRulesOptions = {
  matchOrigin: ORIGIN,
  upstream: 'http://orders-api:3000',
  globalPrefix: 'api',
  uriVersioning: {},
};

/** The rules whose method list and URL pattern take this request, as Oathkeeper picks them. */
function rulesFor(
  rules: readonly OathkeeperAccessRule[],
  method: string,
  path: string,
  matching: 'regexp' | 'glob' = 'regexp',
): string[] {
  return rules
    .filter(
      (rule) =>
        rule.match.methods.includes(method) &&
        compileMatchUrl(rule.match.url, matching).test(`${ORIGIN}${path}`),
    )
    .map((rule) => rule.id);
}

describe('accessRulesForApp', () => {
  it('gives every route exactly the rule of its access, without instantiating a provider', async () => {
    const rules = await accessRulesForApp(OrdersAppModule, OPTIONS);

    expect(rulesFor(rules, 'GET', '/api/orders/catalog')).toEqual(['orders-api:public:get-head']);
    expect(rulesFor(rules, 'HEAD', '/api/orders/catalog')).toEqual(['orders-api:public:get-head']);
    expect(rulesFor(rules, 'GET', '/api/v2/health')).toEqual(['orders-api:public:get-head']);
    expect(rulesFor(rules, 'GET', '/api/v3/health/deep')).toEqual(['orders-api:public:get-head']);
    expect(rulesFor(rules, 'GET', '/api/orders')).toEqual(['orders-api:authenticated:get-head']);
    expect(rulesFor(rules, 'GET', '/api/orders/42')).toEqual(['orders-api:authenticated:get-head']);
    expect(rulesFor(rules, 'GET', '/api/orders/a.b')).toEqual([
      'orders-api:authenticated:get-head',
    ]);
    expect(rulesFor(rules, 'POST', '/api/orders')).toEqual(['orders-api:authenticated:post']);
    expect(rulesFor(rules, 'DELETE', '/api/orders/42')).toEqual([
      'orders-api:authenticated:delete',
    ]);
    // Nothing else: not the unversioned path, not another method, not a deeper path.
    expect(rulesFor(rules, 'GET', '/api/health')).toEqual([]);
    expect(rulesFor(rules, 'PUT', '/api/orders/42')).toEqual([]);
    expect(rulesFor(rules, 'GET', '/api/orders/42/items')).toEqual([]);
    expect(rulesFor(rules, 'DELETE', '/api/orders')).toEqual([]);
  });

  it('mints an id_token with the audience, the tenant and a per-request jti for protected routes', async () => {
    const rules = await accessRulesForApp(OrdersAppModule, OPTIONS);
    const publicRule = rules.find((rule) => rule.id === 'orders-api:public:get-head');
    const protectedRule = rules.find((rule) => rule.id === 'orders-api:authenticated:post');

    expect(publicRule?.authenticators).toEqual([{ handler: 'anonymous' }]);
    expect(publicRule?.mutators).toEqual([{ handler: 'noop' }]);
    expect(protectedRule?.authenticators).toEqual([
      { handler: 'cookie_session' },
      { handler: 'bearer_token' },
    ]);
    expect(protectedRule?.upstream).toEqual({
      url: 'http://orders-api:3000',
      preserve_host: false,
    });
    const claims = String(protectedRule?.mutators[0]?.config?.claims);
    expect(protectedRule?.mutators[0]?.handler).toBe('id_token');
    expect(claims).toContain('"aud": ["orders-api"]');
    expect(claims).toContain('"tenant": "acme"');
    expect(claims).toContain('"jti": "{{ uuidv4 }}"');
    expect(claims).toContain('{{ .Extra.identity.metadata_public | toJson }}');
  });

  it('leaves the per-request jti out without replay protection', async () => {
    const tenant = ORDERS_OPTIONS.tenants.acme;
    const rules = await accessRulesForApp(AsyncOptionsModule, {
      ...OPTIONS,
      iamOptions: {
        tenants: {
          acme: {
            ...tenant,
            oathkeeper: { ...tenant?.oathkeeper, replayProtection: { enabled: false } },
          },
        },
      } as typeof ORDERS_OPTIONS,
    });
    const claims = rules.map((rule) => String(rule.mutators[0]?.config?.claims ?? ''));
    expect(claims.some((text) => text.includes('"aud"'))).toBe(true);
    expect(claims.some((text) => text.includes('jti'))).toBe(false);
  });

  it("leaves a literal path out of another kind's param, which a glob cannot do", async () => {
    const rules = await accessRulesForApp(OrdersAppModule, OPTIONS);
    // /orders/catalog is public, /orders/:id is not: every other value still reaches :id.
    for (const id of ['catalo', 'catalogs', 'c', 'xatalog', 'catalog.json', '42']) {
      expect(rulesFor(rules, 'GET', `/api/orders/${id}`)).toEqual([
        'orders-api:authenticated:get-head',
      ]);
    }
    await expect(
      accessRulesForApp(OrdersAppModule, { ...OPTIONS, matching: 'glob' }),
    ).rejects.toThrow(
      'OrdersController.catalog GET /api/orders/catalog (public) and OrdersController.one GET /api/orders/:id (authenticated)',
    );
  });

  it('writes glob patterns that match the same requests', async () => {
    const rules = await accessRulesForApp(CookieFeedModule, {
      matchOrigin: ORIGIN,
      upstream: 'http://feed:3000',
      matching: 'glob',
    });
    expect(rulesFor(rules, 'GET', '/feed', 'glob')).toEqual(['nest:anonymous:get-head']);
    expect(rulesFor(rules, 'GET', '/feed/mine', 'glob')).toEqual(['nest:authenticated:get-head']);
    expect(rulesFor(rules, 'GET', '/feed/open', 'glob')).toEqual(['nest:public:get-head']);
    expect(rulesFor(rules, 'GET', '/feed/other', 'glob')).toEqual([]);
  });

  it('refuses routes of different access that no exclusion separates, naming both', async () => {
    const failure = accessRulesForApp(ClashingAppModule, OPTIONS);
    await expect(failure).rejects.toBeInstanceOf(AccessRuleConflictError);
    await expect(failure).rejects.toThrow(
      'ClashingController.summary GET /api/orders/:id/summary (public) and ClashingController.archive GET /api/orders/archive/:part (authenticated)',
    );
    await expect(failure).rejects.not.toThrow('ClashingController.export GET');
  });

  it('refuses @Anonymous() routes behind the id_token, which would mint a token for guests', async () => {
    await expect(accessRulesForApp(OathkeeperFeedModule, OPTIONS)).rejects.toThrow(
      /@Anonymous\(\) routes cannot be served through Oathkeeper's id_token.*FeedController\.feed GET/,
    );
  });

  it('lets credentials through unchanged for a Kratos transport, guarded routes only when asked', async () => {
    const rules = await accessRulesForApp(CookieFeedModule, {
      matchOrigin: ORIGIN,
      upstream: 'http://feed:3000',
    });
    const byId = Object.fromEntries(rules.map((rule) => [rule.id, rule]));
    expect(rulesFor(rules, 'GET', '/feed')).toEqual(['nest:anonymous:get-head']);
    expect(byId['nest:anonymous:get-head']?.authenticators.map((a) => a.handler)).toEqual([
      'cookie_session',
      'bearer_token',
      'anonymous',
    ]);
    // global: false, so only the route with @UseGuards(SessionGuard) needs a session.
    expect(rulesFor(rules, 'GET', '/feed/mine')).toEqual(['nest:authenticated:get-head']);
    expect(rulesFor(rules, 'GET', '/feed/open')).toEqual(['nest:public:get-head']);
    expect(byId['nest:authenticated:get-head']?.mutators).toEqual([{ handler: 'noop' }]);
  });

  it('asks for the options of a forRootAsync module instead of running its factory', async () => {
    await expect(accessRulesForApp(AsyncOptionsModule, OPTIONS)).rejects.toThrow(
      'AsyncOptionsModule configures IamModule with forRootAsync, whose factory is not run here: pass its options as iamOptions',
    );
  });

  it('refuses a service that reads its token from another header than Authorization', async () => {
    const tenant = ORDERS_OPTIONS.tenants.acme;
    await expect(
      accessRulesForApp(AsyncOptionsModule, {
        ...OPTIONS,
        iamOptions: {
          tenants: {
            acme: { ...tenant, oathkeeper: { ...tenant?.oathkeeper, identityHeader: 'X-User' } },
          },
        } as typeof ORDERS_OPTIONS,
      }),
    ).rejects.toThrow("Oathkeeper's id_token mutator always sets Authorization");
  });
});
