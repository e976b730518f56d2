import { describe, expect, it } from 'vitest';
import { compileMatchUrl } from '../../../src/access-rules/match-pattern.js';
import {
  type AppAccessRulesOptions,
  accessRulesForApp,
  accessRulesForApps,
  type OathkeeperAccessRule,
} from '../../../src/index.js';
import {
  BearerInventoryAppModule,
  InventoryAppModule,
  MixedAppModule,
  NoServiceIssuerAppModule,
  SERVICE_ISSUER,
} from './service-apps.js';

const ORIGIN = 'https://api.example.com';
const INTROSPECT = 'http://hydra:4445/admin/oauth2/introspect';
const OPTIONS: AppAccessRulesOptions = {
  matchOrigin: ORIGIN,
  upstream: 'http://inventory-api:3000',
  introspectionUrl: INTROSPECT,
};

function rulesFor(rules: readonly OathkeeperAccessRule[], method: string, path: string): string[] {
  return rules
    .filter(
      (rule) =>
        rule.match.methods.includes(method) &&
        compileMatchUrl(rule.match.url, 'regexp').test(`${ORIGIN}${path}`),
    )
    .map((rule) => rule.id);
}

function ruleOf(rules: readonly OathkeeperAccessRule[], id: string): OathkeeperAccessRule {
  const rule = rules.find((candidate) => candidate.id === id);
  if (rule === undefined) throw new Error(`no rule ${id} in ${rules.map((r) => r.id).join(', ')}`);
  return rule;
}

describe('access rules of service routes', () => {
  it('gives each scope set its own rule, separate from the user rules', async () => {
    const rules = await accessRulesForApp(InventoryAppModule, OPTIONS);

    expect(rulesFor(rules, 'POST', '/inventory/reserve')).toEqual([
      'inventory-api:service[inventory:reserve]:post',
    ]);
    expect(rulesFor(rules, 'POST', '/inventory/release')).toEqual([
      'inventory-api:service[inventory:reserve]:post',
    ]);
    expect(rulesFor(rules, 'GET', '/inventory/levels')).toEqual([
      'inventory-api:service[inventory:audit,inventory:read]:get-head',
    ]);
    expect(rulesFor(rules, 'GET', '/inventory/health')).toEqual(['inventory-api:service:get-head']);
    // The user route's param leaves the service routes' literals out.
    expect(rulesFor(rules, 'GET', '/inventory/42')).toEqual([
      'inventory-api:authenticated:get-head',
    ]);
    expect(rulesFor(rules, 'GET', '/inventory')).toEqual(['inventory-api:public:get-head']);
    expect(rulesFor(rules, 'POST', '/inventory/42')).toEqual([]);
  });

  it('introspects with the route scopes and mints a token under serviceIssuer with the client and scopes', async () => {
    const rules = await accessRulesForApp(InventoryAppModule, OPTIONS);
    const reserve = ruleOf(rules, 'inventory-api:service[inventory:reserve]:post');

    expect(reserve.authenticators).toEqual([
      {
        handler: 'oauth2_introspection',
        config: {
          required_scope: ['inventory:reserve'],
          target_audience: ['inventory-api'],
          introspection_url: INTROSPECT,
        },
      },
    ]);
    expect(reserve.authorizer).toEqual({ handler: 'allow' });
    expect(reserve.mutators).toEqual([
      {
        handler: 'id_token',
        config: {
          issuer_url: SERVICE_ISSUER,
          claims: [
            '{',
            '  "aud": ["inventory-api"],',
            '  "tenant": "default",',
            '  "jti": "{{ uuidv4 }}",',
            '  "client_id": {{ .Extra.client_id | toJson }},',
            '  "scope": {{ .Extra.scope | toJson }}',
            '}',
          ].join('\n'),
        },
      },
    ]);
    expect(
      ruleOf(rules, 'inventory-api:service[inventory:audit,inventory:read]:get-head')
        .authenticators[0]?.config?.required_scope,
    ).toEqual(['inventory:audit', 'inventory:read']);
    expect(
      ruleOf(rules, 'inventory-api:service:get-head').authenticators[0]?.config?.required_scope,
    ).toEqual([]);
    // User rules keep the user issuer and the session authenticators.
    const user = ruleOf(rules, 'inventory-api:authenticated:get-head');
    expect(user.authenticators.map((a) => a.handler)).toEqual(['cookie_session', 'bearer_token']);
    expect(user.mutators[0]?.config?.issuer_url).toBe('https://gateway.example.com');
  });

  it('leaves introspection_url to the Oathkeeper config when none is given', async () => {
    const { introspectionUrl: _none, ...withoutUrl } = OPTIONS;
    const rules = await accessRulesForApp(InventoryAppModule, withoutUrl);
    const config = ruleOf(rules, 'inventory-api:service:get-head').authenticators[0]?.config;
    expect(config).toEqual({ required_scope: [], target_audience: ['inventory-api'] });
  });

  it('takes introspectionUrl from the options several apps share', async () => {
    const rules = await accessRulesForApps(
      [{ module: InventoryAppModule, upstream: 'http://inventory-api:3000' }],
      { matchOrigin: ORIGIN, introspectionUrl: INTROSPECT },
    );
    const config = ruleOf(rules, 'inventory-api:service:get-head').authenticators[0]?.config;
    expect(config?.introspection_url).toBe(INTROSPECT);
  });

  it('refuses an introspection URL that is not absolute http(s)', async () => {
    for (const introspectionUrl of [
      'hydra:4445/introspect',
      '/admin/oauth2/introspect',
      'ftp://hydra/x',
    ]) {
      await expect(
        accessRulesForApp(InventoryAppModule, { ...OPTIONS, introspectionUrl }),
      ).rejects.toThrow(
        'introspectionUrl (--introspection-url) must be an absolute URL starting with http:// or https://',
      );
    }
  });

  it('refuses service routes on a tenant without oathkeeper.serviceIssuer, naming them', async () => {
    const failure = accessRulesForApp(NoServiceIssuerAppModule, OPTIONS);
    await expect(failure).rejects.toThrow(
      /need tenant "default"'s oathkeeper\.serviceIssuer.*InventoryController\.reserve POST \/inventory\/reserve.*InventoryController\.health GET \/inventory\/health/,
    );
  });

  it('refuses a route that asks for both a user role and a service, naming it', async () => {
    await expect(accessRulesForApp(MixedAppModule, OPTIONS)).rejects.toThrow(
      'routes ask for both a user (@RequireRole/@RequirePermission) and a service (@RequireService/@RequireScope), which no single access rule can admit: MixedController.adjust POST /stock/adjust',
    );
  });

  it('refuses a service route and a user route one glob matches, naming their access', async () => {
    await expect(
      accessRulesForApp(InventoryAppModule, { ...OPTIONS, matching: 'glob' }),
    ).rejects.toThrow(
      'InventoryController.levels GET /inventory/levels (service[inventory:audit,inventory:read]) and InventoryController.one GET /inventory/:sku (authenticated)',
    );
  });

  it('passes the access token through to a Kratos-transport service, which verifies it itself', async () => {
    const rules = await accessRulesForApp(BearerInventoryAppModule, OPTIONS);
    const reserve = ruleOf(rules, 'nest:service[inventory:reserve]:post');
    expect(reserve.authenticators).toEqual([
      {
        handler: 'oauth2_introspection',
        config: { required_scope: ['inventory:reserve'], introspection_url: INTROSPECT },
      },
    ]);
    expect(reserve.mutators).toEqual([{ handler: 'noop' }]);
  });
});
