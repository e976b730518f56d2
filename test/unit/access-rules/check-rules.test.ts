import { Controller, Get, Module } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import {
  type AppAccessRulesOptions,
  accessRulesForApp,
  checkAccessRulesForApp,
  IamModule,
  type OathkeeperAccessRule,
} from '../../../src/index.js';
import {
  Database,
  HealthController,
  ORDERS_OPTIONS,
  OrdersAppModule,
  OrdersController,
} from './apps.js';

const OPTIONS: AppAccessRulesOptions = {
  matchOrigin: 'https://api.example.com',
  upstream: 'http://orders-api:3000',
  globalPrefix: 'api',
  uriVersioning: {},
};

type MutableRule = { -readonly [K in keyof OathkeeperAccessRule]: OathkeeperAccessRule[K] };

async function generated(): Promise<MutableRule[]> {
  const rules = await accessRulesForApp(OrdersAppModule, OPTIONS);
  return structuredClone(rules) as MutableRule[];
}

function byId(rules: MutableRule[], id: string): MutableRule {
  const rule = rules.find((candidate) => candidate.id === id);
  if (rule === undefined) throw new Error(`no rule ${id}`);
  return rule;
}

const check = (rules: unknown, module: typeof OrdersAppModule = OrdersAppModule) =>
  checkAccessRulesForApp(module, rules, OPTIONS);

@Controller('orders')
class OrdersExtraController {
  @Get(':id/invoice')
  invoice() {}
}

/** The app after a route was added without regenerating the rules. */
@Module({
  imports: [IamModule.forRoot(ORDERS_OPTIONS)],
  controllers: [OrdersController, HealthController, OrdersExtraController],
  providers: [Database],
})
class GrownAppModule {}

/** Only public routes: the glob strategy needs no split. */
@Module({ imports: [IamModule.forRoot(ORDERS_OPTIONS)], controllers: [HealthController] })
class HealthAppModule {}

describe('checkAccessRulesForApp', () => {
  it('finds nothing wrong with the rules generated from the same app', async () => {
    expect(await check(await generated())).toEqual([]);
  });

  it('reports a route added without regenerating', async () => {
    expect(await check(await generated(), GrownAppModule)).toEqual([
      'no rule matches OrdersExtraController.invoice GET /api/orders/:id/invoice',
      'no rule matches OrdersExtraController.invoice HEAD /api/orders/:id/invoice',
    ]);
  });

  it('tries real URLs behind an origin written as a pattern, as the generator allows', async () => {
    const patterned = {
      ...OPTIONS,
      matchOrigin: 'https://<{api,www}>.example.com',
      matching: 'glob' as const,
    };
    const glob = { ...patterned, globalPrefix: 'v0' };
    const rules = structuredClone(await accessRulesForApp(HealthAppModule, glob)) as MutableRule[];
    expect(await checkAccessRulesForApp(HealthAppModule, rules, glob)).toEqual([]);

    // A hand-written rule for one of the hosts still collides with the generated one.
    rules.push({
      ...(rules[0] as MutableRule),
      id: 'www-only',
      match: { url: 'https://www.example.com/v0/v2/health', methods: ['GET'] },
    });
    expect(await checkAccessRulesForApp(HealthAppModule, rules, glob)).toContain(
      'HealthController.check GET /v0/v2/health matches 2 rules ("orders-api:public:get-head", "www-only"); Oathkeeper refuses a request that matches more than one rule',
    );
  });

  it('reports a rule without a route and a request matching two rules', async () => {
    const rules = await generated();
    const post = byId(rules, 'orders-api:authenticated:post');
    rules.push({
      ...post,
      id: 'stale',
      match: { url: 'https://api.example.com/api/gone', methods: ['GET'] },
    });
    rules.push({ ...post, id: 'copy' });
    const problems = await check(rules);
    expect(problems).toContain('rule "stale" matches no route of the app (a rule without a route)');
    expect(problems).toContain(
      'OrdersController.create POST /api/orders matches 2 rules ("orders-api:authenticated:post", "copy"); Oathkeeper refuses a request that matches more than one rule',
    );
  });

  it('reports access that differs from the decorators', async () => {
    const rules = await generated();
    byId(rules, 'orders-api:public:get-head').authenticators = [
      { handler: 'cookie_session' },
      { handler: 'anonymous' },
    ];
    byId(rules, 'orders-api:authenticated:post').authenticators = [{ handler: 'anonymous' }];
    const problems = await check(rules);
    expect(problems).toContain(
      'public route OrdersController.catalog GET /api/orders/catalog is behind rule "orders-api:public:get-head", whose session authenticators (cookie_session) refuse bad or expired credentials the service would ignore',
    );
    expect(problems).toContain(
      'protected route OrdersController.create POST /api/orders is behind rule "orders-api:authenticated:post", which only has anonymous authenticators (anonymous)',
    );
  });

  it('reports an id_token the service would refuse: audience, tenant, and the token-cache trap', async () => {
    const rules = await generated();
    const mutator = {
      handler: 'id_token',
      config: {
        claims: '{"aud": ["inventory-api"], "tenant": "other", "sub": "{{ print .Subject }}"}',
      },
    };
    byId(rules, 'orders-api:authenticated:post').mutators = [mutator];
    const problems = await check(rules);
    expect(problems).toEqual([
      'rule "orders-api:authenticated:post": id_token audience ["inventory-api"] does not include "orders-api", the audience the service accepts (401 auth.failure.audience_mismatch)',
      'rule "orders-api:authenticated:post": id_token claim "tenant" is "other", the service expects "acme" (401 auth.tenant_mismatch)',
      'rule "orders-api:authenticated:post": replay protection is on but the claims template has no per-request value such as "jti": "{{ uuidv4 }}"; Oathkeeper will resend its cached token and the second request is 401 auth.failure.replay',
    ]);
  });

  it('reports a rule without an id_token or without claims of its own', async () => {
    const rules = await generated();
    byId(rules, 'orders-api:authenticated:post').mutators = [{ handler: 'noop' }];
    byId(rules, 'orders-api:authenticated:delete').mutators = [{ handler: 'id_token' }];
    expect(await check(rules)).toEqual([
      'rule "orders-api:authenticated:post" mints no id_token, but the service verifies one in Authorization',
      'rule "orders-api:authenticated:delete": its id_token sets no claims of its own, so the audience, tenant and jti cannot be checked; put the claims in the rule',
    ]);
  });

  it('reports methods that differ', async () => {
    const rules = await generated();
    byId(rules, 'orders-api:authenticated:delete').match = {
      ...byId(rules, 'orders-api:authenticated:delete').match,
      methods: ['PUT'],
    };
    expect(await check(rules)).toEqual([
      'methods mismatch: OrdersController.remove DELETE /api/orders/:id matches "orders-api:authenticated:get-head" (GET, HEAD), "orders-api:authenticated:delete" (PUT) by URL, but none lists DELETE',
      'methods mismatch: rule "orders-api:authenticated:delete" lists PUT, which none of its routes answers',
    ]);
  });

  it('reports a malformed rule and a file that is not a list', async () => {
    expect(await check({ rules: [] })).toContain('the rules file is not an array of rules');
    const problems = await check([...(await generated()), { id: 'half' }]);
    expect(problems).toEqual([
      'rule "half" is not a complete access rule (id, upstream.url, match.url, match.methods, authenticators, authorizer, mutators)',
    ]);
  });
});
