import { Controller, Get, Module } from '@nestjs/common';
import { describe, expect, it } from 'vitest';
import { compileMatchUrl } from '../../../src/access-rules/match-pattern.js';
import {
  AccessRuleConflictError,
  type AppRulesTarget,
  accessRulesForApps,
  checkAccessRulesForApps,
  IamModule,
  type OathkeeperAccessRule,
  Public,
  type SharedRulesOptions,
} from '../../../src/index.js';
import { CookieFeedModule, ORDERS_OPTIONS, OrdersAppModule } from './apps.js';

const ORIGIN = 'https://api.example.com';
const SHARED: SharedRulesOptions = { matchOrigin: ORIGIN };
const ORDERS: AppRulesTarget = { module: OrdersAppModule, upstream: 'http://orders-api:3000' };
const FEED: AppRulesTarget = {
  module: CookieFeedModule,
  upstream: 'http://feed:3000',
  idPrefix: 'feed',
};

// As the unit tests of one app serve it: under /api, with URI versions.
const ORDERS_V2: AppRulesTarget = { ...ORDERS, globalPrefix: 'api', uriVersioning: {} };

@Public()
@Controller('health')
class OtherHealthController {
  @Get()
  check() {}
}

@Module({ imports: [IamModule.forRoot(ORDERS_OPTIONS)], controllers: [OtherHealthController] })
class OtherHealthModule {}

type MutableRule = { -readonly [K in keyof OathkeeperAccessRule]: OathkeeperAccessRule[K] };

function ruleFor(rules: readonly OathkeeperAccessRule[], method: string, path: string) {
  return rules.filter(
    (rule) =>
      rule.match.methods.includes(method) &&
      compileMatchUrl(rule.match.url, 'regexp').test(`${ORIGIN}${path}`),
  );
}

describe('accessRulesForApps', () => {
  it("writes every app's rules into one file, each forwarding to its app's upstream", async () => {
    const rules = await accessRulesForApps([ORDERS_V2, FEED], SHARED);
    const forwarding = (method: string, path: string) =>
      ruleFor(rules, method, path).map((rule) => `${rule.id} -> ${rule.upstream.url}`);

    expect(forwarding('GET', '/api/orders/42')).toEqual([
      'orders-api:authenticated:get-head -> http://orders-api:3000',
    ]);
    expect(forwarding('GET', '/feed')).toEqual(['feed:anonymous:get-head -> http://feed:3000']);
    expect(forwarding('GET', '/feed/open')).toEqual(['feed:public:get-head -> http://feed:3000']);
    // Each app keeps its own pipeline: the cookie app's session rule mints no id_token.
    const feedMine = rules.find((rule) => rule.id === 'feed:authenticated:get-head');
    expect(feedMine?.mutators).toEqual([{ handler: 'noop' }]);
    expect(await checkAccessRulesForApps([ORDERS_V2, FEED], rules, SHARED)).toEqual([]);
  });

  it('refuses routes of two apps that one request can reach, naming both', async () => {
    const health: AppRulesTarget = {
      module: OtherHealthModule,
      upstream: 'http://health:3000',
      idPrefix: 'other',
      globalPrefix: 'api',
      uriVersioning: { defaultVersion: '2' },
    };
    const refused = accessRulesForApps([ORDERS_V2, health], SHARED);
    await expect(refused).rejects.toBeInstanceOf(AccessRuleConflictError);
    await expect(refused).rejects.toMatchObject({
      conflicts: [
        'HealthController.check GET /api/v2/health (http://orders-api:3000) and OtherHealthController.check GET /api/v2/health (http://health:3000)',
        'HealthController.check HEAD /api/v2/health (http://orders-api:3000) and OtherHealthController.check HEAD /api/v2/health (http://health:3000)',
      ],
    });
  });

  it('refuses two apps with one upstream, and rule ids two apps would share', async () => {
    await expect(
      accessRulesForApps([ORDERS_V2, { ...FEED, upstream: ORDERS.upstream }], SHARED),
    ).rejects.toThrow(
      'OrdersAppModule and CookieFeedModule both forward to http://orders-api:3000',
    );
    await expect(
      accessRulesForApps([ORDERS_V2, { ...FEED, idPrefix: 'orders-api' }], SHARED),
    ).rejects.toThrow(
      'the apps forwarding to http://orders-api:3000 and http://feed:3000 both produce rule "orders-api:public:get-head": give each app its own idPrefix (--id-prefix)',
    );
  });
});

describe('checkAccessRulesForApps', () => {
  async function generated(): Promise<MutableRule[]> {
    return structuredClone(await accessRulesForApps([ORDERS_V2, FEED], SHARED)) as MutableRule[];
  }

  it('reports a route behind the rule of another app', async () => {
    const rules = await generated();
    const feedOpen = ruleFor(rules, 'GET', '/feed/open')[0] as MutableRule;
    feedOpen.upstream = { url: ORDERS.upstream };

    const problems = await checkAccessRulesForApps([ORDERS_V2, FEED], rules, SHARED);
    expect(problems).toContain(
      'FeedController.open GET /feed/open is behind rule "feed:public:get-head", which forwards to http://orders-api:3000, not to the app at http://feed:3000',
    );
  });

  it('reports a rule that forwards to none of the apps', async () => {
    const rules = await generated();
    const stray = { ...(rules[0] as MutableRule), id: 'stray', upstream: { url: 'http://gone:1' } };
    stray.match = { url: `${ORIGIN}/gone`, methods: ['GET'] };

    expect(await checkAccessRulesForApps([ORDERS_V2, FEED], [...rules, stray], SHARED)).toEqual([
      'rule "stray" forwards to http://gone:1, the upstream of none of the apps (a rule without a route)',
    ]);
  });

  it('reports a route of one app that an extra rule of another app also matches', async () => {
    const rules = await generated();
    const grabbing = {
      ...(ruleFor(rules, 'GET', '/feed')[0] as MutableRule),
      id: 'feed:grab',
      match: { url: `${ORIGIN}/api/v2/health`, methods: ['GET'] },
    };

    expect(
      await checkAccessRulesForApps([ORDERS_V2, FEED], [...rules, grabbing], SHARED),
    ).toContain(
      'HealthController.check GET /api/v2/health matches 2 rules ("orders-api:public:get-head", "feed:grab"); Oathkeeper refuses a request that matches more than one rule',
    );
  });
});
