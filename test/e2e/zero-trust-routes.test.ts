/**
 * Every route of the three example apps through the real Oathkeeper loaded with the generated
 * config/access-rules.json (real Kratos, Keto and Hydra behind it), as the proxy and behind nginx
 * asking its decision API. The routes come from the apps' route
 * table, as the generator reads it, and each is called as its decorators say it must answer:
 * public 2xx without a session; protected 401 from Oathkeeper without one and 2xx with one; role
 * and permission routes 403 from the app, then 2xx once Kratos or Keto grants what the decorator
 * asks; service routes (@RequireService, @RequireScope) 401 at the gateway with or without a
 * session, 2xx with a Hydra token of the client and scopes they name. A route with no entry in
 * REQUESTS fails the test: none is skipped silently.
 */
import { randomUUID } from 'node:crypto';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { AppName } from '../../examples/zero-trust/support/apps.js';
import { exampleRouteTables } from '../../examples/zero-trust/support/example-rules.js';
import {
  type Answer,
  bearer,
  call,
  errorCode,
  refusedByGateway,
} from '../../examples/zero-trust/support/http.js';
import { ordersApiToken } from '../../examples/zero-trust/support/service-call.js';
import {
  demoPassword,
  type Login,
  loginViaBff,
  registerViaBff,
} from '../../examples/zero-trust/support/walkthrough.js';
import {
  type Front,
  startZeroTrust,
  type ZeroTrust,
} from '../../examples/zero-trust/support/zero-trust-stack.js';
import type { RouteEntry } from '../../src/access-rules/route-table.js';
import type { IamIdentity, PermissionRequirement } from '../../src/index.js';
import { setRoles } from '../support/ory/kratos-flows.js';

/** What the route table cannot say: a route's param values and body, and its success status. */
interface RouteRequest {
  readonly ok: number;
  readonly params?: (proxy: string) => Promise<Record<string, string>> | Record<string, string>;
  readonly body?: () => unknown;
}

async function flowIdOf(proxy: string, kind: 'login' | 'registration'): Promise<string> {
  const answer = await call(`${proxy}/auth/${kind}`);
  const id = (answer.body as { id?: unknown }).id;
  if (answer.status !== 200 || typeof id !== 'string') {
    throw new Error(`no ${kind} flow: ${answer.status} ${JSON.stringify(answer.body)}`);
  }
  return id;
}

const email = `routes-${randomUUID()}@example.com`;

/** Keyed by `Controller.handler`, as the route table names the handler. */
const REQUESTS: Readonly<Record<string, RouteRequest>> = {
  'AuthController.initiateLogin': { ok: 200 },
  'AuthController.submitLogin': {
    ok: 201,
    params: async (proxy) => ({ flowId: await flowIdOf(proxy, 'login') }),
    body: () => ({ method: 'password', identifier: email, password: demoPassword }),
  },
  'AuthController.initiateRegistration': { ok: 200 },
  'AuthController.submitRegistration': {
    ok: 201,
    params: async (proxy) => ({ flowId: await flowIdOf(proxy, 'registration') }),
    body: () => ({
      method: 'password',
      password: demoPassword,
      traits: { email: `routes-${randomUUID()}@example.com` },
    }),
  },
  'OrdersController.list': { ok: 200 },
  'OrdersController.get': { ok: 200, params: () => ({ id: 'o-7' }) },
  // Reserves on inventory-api as orders-api through the same front door.
  'OrdersController.create': { ok: 201, body: () => ({ sku: 'sku-7' }) },
  'InventoryController.health': { ok: 200 },
  'InventoryController.list': { ok: 200 },
  'InventoryController.adjust': { ok: 201, body: () => ({ sku: 'sku-7', delta: 1 }) },
  'InventoryController.ledger': { ok: 200, params: () => ({ sku: 'sku-7' }) },
  'InventoryController.reserve': {
    ok: 201,
    body: () => ({ orderId: randomUUID(), sku: 'sku-7', quantity: 1, onBehalfOf: 'routes-test' }),
  },
};

interface RouteCase {
  readonly app: AppName;
  readonly route: RouteEntry;
  readonly handler: string;
  readonly request: RouteRequest;
}

const handlerOf = (route: RouteEntry) => route.source.split(' ')[0] as string;
const needsGrant = (route: RouteEntry) =>
  route.requirements.roles.length > 0 || route.requirements.permissions.length > 0;
const isServiceRoute = (route: RouteEntry) =>
  route.requirements.scopes.length > 0 || route.requirements.services.length > 0;

/** The URL path with each `:param` filled in. */
function concretePath(route: RouteEntry, params: Record<string, string>): string {
  return route.nestPath.replace(/:(\w+)/g, (_, name: string) => {
    const value = params[name];
    if (value === undefined)
      throw new Error(`${route.source}: REQUESTS gives no value for :${name}`);
    return value;
  });
}

const fronts: ReadonlyArray<readonly [string, Front]> = [
  ['Oathkeeper as the proxy', 'oathkeeper'],
  ["nginx asking Oathkeeper's decision API", 'nginx'],
];

describe.each(fronts)(
  'every route of the zero-trust example through %s with the generated rules',
  (_name, front) => {
    let stack: ZeroTrust | undefined;
    let cases: RouteCase[] = [];
    let user: Login = { sessionToken: '', identityId: '' };
    const zt = (): ZeroTrust => {
      if (stack === undefined) throw new Error('the stack did not start; see the beforeAll error');
      return stack;
    };

    /** With a Kratos session token, or a service's Hydra access token, as the bearer. */
    async function send(entry: RouteCase, token?: string): Promise<Answer> {
      const proxy = zt().proxy;
      const params = (await entry.request.params?.(proxy)) ?? {};
      const body = entry.request.body?.();
      return call(`${proxy}${concretePath(entry.route, params)}`, {
        method: entry.route.method,
        ...(token !== undefined && { headers: bearer(token) }),
        ...(body !== undefined && { json: body }),
      });
    }

    const outcome = (answer: Answer) =>
      `${answer.status}${errorCode(answer) === undefined ? '' : ` ${errorCode(answer)}`}`;

    beforeAll(async () => {
      stack = await startZeroTrust({ ports: 'free', front });
      const tables = await exampleRouteTables();
      const routes = tables.flatMap(({ app, routes }) => routes.map((route) => ({ app, route })));
      const missing = routes.filter(({ route }) => REQUESTS[handlerOf(route)] === undefined);
      if (missing.length > 0) {
        throw new Error(
          `routes with no expected request in REQUESTS (add one): ${missing.map(({ route }) => route.source).join('; ')}`,
        );
      }
      cases = routes.map(({ app, route }) => ({
        app,
        route,
        handler: handlerOf(route),
        request: REQUESTS[handlerOf(route)] as RouteRequest,
      }));
      user = await registerViaBff(stack.proxy, email, demoPassword);
    });

    afterEach((context) => {
      if (context.task.result?.state === 'fail') console.error(stack?.logTails(60) ?? '(no stack)');
    });

    afterAll(async () => {
      await stack?.stop();
    });

    it('covers every route of the three apps, and REQUESTS names no route that is gone', () => {
      const handlers = new Set(cases.map((entry) => entry.handler));
      expect(Object.keys(REQUESTS).filter((handler) => !handlers.has(handler))).toEqual([]);
      expect(new Set(cases.map((entry) => entry.app))).toEqual(
        new Set(['auth-bff', 'orders-api', 'inventory-api']),
      );
      expect(cases.filter((entry) => entry.route.kind === 'public').length).toBeGreaterThan(0);
      expect(cases.filter((entry) => needsGrant(entry.route)).length).toBeGreaterThan(0);
      expect(cases.filter((entry) => isServiceRoute(entry.route)).length).toBeGreaterThan(0);
    });

    it('without a session: public routes answer, every other route is 401 at the gateway', async () => {
      const seen: string[] = [];
      for (const entry of cases) {
        const answer = await send(entry);
        seen.push(`${entry.route.source}: ${outcome(answer)}`);
        if (entry.route.kind === 'public') {
          expect(answer.status, entry.route.source).toBe(entry.request.ok);
        } else {
          expect(answer.status, entry.route.source).toBe(401);
          if (entry.route.method !== 'HEAD') {
            expect(
              refusedByGateway(answer, front),
              `${entry.route.source} refused at the gateway`,
            ).toBe(true);
          }
        }
      }
      console.log(`[routes] without a session:\n${seen.join('\n')}`);
    });

    it('with a session: protected routes answer, role and permission routes are 403, service routes 401 at the gateway', async () => {
      for (const entry of cases.filter((candidate) => candidate.route.kind !== 'public')) {
        const answer = await send(entry, user.sessionToken);
        if (isServiceRoute(entry.route)) {
          // The rule's only authenticator is oauth2_introspection: Hydra knows no session token.
          expect(answer.status, entry.route.source).toBe(401);
          if (entry.route.method !== 'HEAD') {
            expect(refusedByGateway(answer, front), `${entry.route.source} at the gateway`).toBe(
              true,
            );
          }
        } else if (needsGrant(entry.route)) {
          const code =
            entry.route.requirements.roles.length > 0 ? 'authz.role.deny' : 'authz.permission.deny';
          expect(answer.status, entry.route.source).toBe(403);
          if (entry.route.method !== 'HEAD')
            expect(errorCode(answer), entry.route.source).toBe(code);
        } else {
          expect(answer.status, entry.route.source).toBe(entry.request.ok);
        }
      }
    });

    it('service routes answer a Hydra token of the client and scopes they name', async () => {
      const services = cases.filter((entry) => isServiceRoute(entry.route));
      for (const entry of services) {
        const { scopes, services: clients } = entry.route.requirements;
        // The example has one client, orders-api; a route for another needs its own here.
        expect(clients.length === 0 || clients.includes('orders-api'), entry.route.source).toBe(
          true,
        );
        // Each example app's audience is its name.
        const token = await ordersApiToken(zt(), { scope: scopes, audience: [entry.app] });
        const answer = await send(entry, token);
        expect(answer.status, `${entry.route.source}: ${outcome(answer)}`).toBe(entry.request.ok);
      }
    });

    it('role and permission routes answer once Kratos and Keto grant what the decorators ask', async () => {
      const granted = cases.filter((entry) => needsGrant(entry.route));
      const roles = granted.flatMap((entry) =>
        entry.route.requirements.roles.flatMap((requirement) => requirement.roles),
      );
      await setRoles(zt().kratosAdmin, user.identityId, [...new Set(roles)]);
      for (const entry of granted) {
        const params = (await entry.request.params?.(zt().proxy)) ?? {};
        for (const rule of entry.route.requirements.permissions) {
          await grantPermission(
            'anyOf' in rule ? (rule.anyOf[0] as PermissionRequirement) : rule,
            params,
          );
        }
      }
      // The roles reach the token from the identity Kratos returns for a new session.
      const relogged = await loginViaBff(zt().proxy, email, demoPassword);
      for (const entry of granted) {
        const answer = await send(entry, relogged.sessionToken);
        expect(answer.status, `${entry.route.source}: ${outcome(answer)}`).toBe(entry.request.ok);
      }
    });

    /** The tuple the decorator's check asks Keto for, with this request's params. */
    async function grantPermission(rule: PermissionRequirement, params: Record<string, string>) {
      const identity = { id: user.identityId } as IamIdentity;
      const object =
        typeof rule.object === 'string'
          ? rule.object
          : rule.object({ params, query: {}, body: undefined, args: {}, identity });
      const answer = await call(`${zt().ketoWrite}/admin/relation-tuples`, {
        method: 'PUT',
        json: {
          namespace: rule.namespace,
          object,
          relation: rule.relation,
          subject_id: user.identityId,
        },
      });
      expect(answer.status, `Keto tuple ${rule.namespace}:${String(object)}`).toBe(201);
    }
  },
);
