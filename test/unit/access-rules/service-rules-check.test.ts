import { describe, expect, it } from 'vitest';
import {
  type AppAccessRulesOptions,
  accessRulesForApp,
  checkAccessRulesForApp,
  type OathkeeperAccessRule,
} from '../../../src/index.js';
import { BearerInventoryAppModule, InventoryAppModule, MixedAppModule } from './service-apps.js';

const INTROSPECT = 'http://hydra:4445/admin/oauth2/introspect';
const OPTIONS: AppAccessRulesOptions = {
  matchOrigin: 'https://api.example.com',
  upstream: 'http://inventory-api:3000',
  introspectionUrl: INTROSPECT,
};
const RESERVE = 'inventory-api:service[inventory:reserve]:post';
const USER_GET = 'inventory-api:authenticated:get-head';

type Mutable<T> = { -readonly [K in keyof T]: Mutable<T[K]> };
type MutableRule = Mutable<OathkeeperAccessRule>;

async function generated(module = InventoryAppModule): Promise<MutableRule[]> {
  return structuredClone(await accessRulesForApp(module, OPTIONS)) as MutableRule[];
}

function byId(rules: MutableRule[], id: string): MutableRule {
  const rule = rules.find((candidate) => candidate.id === id);
  if (rule === undefined) throw new Error(`no rule ${id}`);
  return rule;
}

const check = (rules: unknown, options: AppAccessRulesOptions = OPTIONS) =>
  checkAccessRulesForApp(InventoryAppModule, rules, options);

describe('checkAccessRulesForApp with service routes', () => {
  it('finds nothing wrong with the generated rules, with or without --introspection-url', async () => {
    const rules = await generated();
    expect(await check(rules)).toEqual([]);
    const { introspectionUrl: _none, ...withoutUrl } = OPTIONS;
    expect(await check(rules, withoutUrl)).toEqual([]);
  });

  it('flags a rule minting service tokens that also lets sessions in', async () => {
    const rules = await generated();
    byId(rules, RESERVE).authenticators.push({ handler: 'cookie_session' });
    expect(await check(rules)).toEqual([
      `rule "${RESERVE}" mints tokens under the service issuer https://gateway.example.com/services but lists cookie_session: callers that are no OAuth2 client would reach the service as machine callers; a service rule lists only oauth2_introspection or oauth2_client_credentials`,
    ]);
  });

  it('flags a user rule that lets OAuth2 tokens in', async () => {
    const rules = await generated();
    byId(rules, USER_GET).authenticators.push({ handler: 'oauth2_introspection' });
    expect(await check(rules)).toEqual([
      `rule "${USER_GET}" mints user tokens but lists oauth2_introspection: a machine caller would reach the service as a user (the service tells them apart by oathkeeper.serviceIssuer); give service routes rules of their own`,
    ]);
  });

  it('flags a service route served by a user rule', async () => {
    const rules = await generated();
    const user = byId(rules, USER_GET);
    const reserve = byId(rules, RESERVE);
    reserve.authenticators = structuredClone(user.authenticators);
    reserve.mutators = structuredClone(user.mutators);
    const problems = await check(rules);
    expect(problems).toEqual([
      `service route InventoryController.reserve POST /inventory/reserve is behind rule "${RESERVE}", which is not a service rule (authenticators cookie_session, bearer_token, minting tokens under https://gateway.example.com): machine callers cannot pass it`,
      `service route InventoryController.release POST /inventory/release is behind rule "${RESERVE}", which is not a service rule (authenticators cookie_session, bearer_token, minting tokens under https://gateway.example.com): machine callers cannot pass it`,
    ]);
  });

  it('flags a user route served by a service rule', async () => {
    const rules = await generated();
    const user = byId(rules, USER_GET);
    const service = byId(rules, 'inventory-api:service:get-head');
    user.authenticators = structuredClone(service.authenticators);
    user.mutators = structuredClone(service.mutators);
    expect(await check(rules)).toEqual([
      `protected route InventoryController.one GET /inventory/:sku is behind rule "${USER_GET}", a rule for machine callers: users get 401 at the gateway`,
      `protected route InventoryController.one HEAD /inventory/:sku is behind rule "${USER_GET}", a rule for machine callers: users get 401 at the gateway`,
    ]);
  });

  it('flags a required_scope that differs from the route scopes, missing or extra', async () => {
    const rules = await generated();
    const config = byId(rules, RESERVE).authenticators[0]?.config as Record<string, unknown>;
    config.required_scope = ['inventory:reserve', 'inventory:admin'];
    const levels = byId(rules, 'inventory-api:service[inventory:audit,inventory:read]:get-head');
    levels.authenticators = [
      { handler: 'oauth2_introspection', config: { introspection_url: INTROSPECT } },
    ];
    const problems = await check(rules);
    expect(problems).toEqual([
      `rule "${RESERVE}": oauth2_introspection required_scope ["inventory:reserve","inventory:admin"] differs from the scopes of InventoryController.reserve POST /inventory/reserve ["inventory:reserve"]`,
      `rule "${RESERVE}": oauth2_introspection required_scope ["inventory:reserve","inventory:admin"] differs from the scopes of InventoryController.release POST /inventory/release ["inventory:reserve"]`,
      `rule "${levels.id}": oauth2_introspection required_scope [] differs from the scopes of InventoryController.levels GET /inventory/levels ["inventory:audit","inventory:read"]`,
      `rule "${levels.id}": oauth2_introspection required_scope [] differs from the scopes of InventoryController.levels HEAD /inventory/levels ["inventory:audit","inventory:read"]`,
    ]);
  });

  it('flags an introspection URL other than --introspection-url, and a token without client_id', async () => {
    const rules = await generated();
    const reserve = byId(rules, RESERVE);
    (reserve.authenticators[0]?.config as Record<string, unknown>).introspection_url =
      'http://elsewhere:4445/admin/oauth2/introspect';
    const mutator = reserve.mutators[0]?.config as Record<string, unknown>;
    mutator.claims = String(mutator.claims).replace(/\s*"client_id": [^\n]*\n/, '\n');
    const problems = await check(rules);
    expect(problems).toContain(
      `rule "${RESERVE}": oauth2_introspection asks "http://elsewhere:4445/admin/oauth2/introspect", not ${INTROSPECT} (--introspection-url)`,
    );
    expect(problems).toContain(
      `rule "${RESERVE}": the service rule's claims template sets no "client_id"; the service requires it equal to the subject (401 auth.failure.malformed)`,
    );
    expect(problems).toHaveLength(2);
  });

  it('reports a route that asks for both a user and a service', async () => {
    const rules = await generated(InventoryAppModule);
    const problems = await checkAccessRulesForApp(MixedAppModule, rules, OPTIONS);
    expect(problems).toContain(
      'MixedController.adjust POST /stock/adjust asks for both a user (roles, permissions) and a service (client ids, scopes): no rule can admit it',
    );
  });

  it('checks the pass-through rules of a Kratos transport', async () => {
    const rules = await generated(BearerInventoryAppModule);
    expect(await checkAccessRulesForApp(BearerInventoryAppModule, rules, OPTIONS)).toEqual([]);
    const reserve = byId(rules, 'nest:service[inventory:reserve]:post');
    reserve.authenticators.unshift({ handler: 'bearer_token' });
    expect(await checkAccessRulesForApp(BearerInventoryAppModule, rules, OPTIONS)).toEqual([
      'service route InventoryController.reserve POST /inventory/reserve is behind rule "nest:service[inventory:reserve]:post", which is not a service rule (authenticators bearer_token, oauth2_introspection): machine callers cannot pass it',
      'service route InventoryController.release POST /inventory/release is behind rule "nest:service[inventory:reserve]:post", which is not a service rule (authenticators bearer_token, oauth2_introspection): machine callers cannot pass it',
    ]);
  });
});
