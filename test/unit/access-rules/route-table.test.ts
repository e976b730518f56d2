import { describe, expect, it } from 'vitest';
import { readRouteTable } from '../../../src/access-rules/route-table.js';
import { HealthController, OrdersController } from './apps.js';
import { InventoryController } from './service-apps.js';

describe('readRouteTable', () => {
  it("gives each route its path as Nest routes it and the decorators' requirements", () => {
    const routes = readRouteTable([OrdersController, HealthController], true, {
      globalPrefix: 'api',
      uriVersioning: {},
    });
    const summary = routes
      .filter((route) => route.method !== 'HEAD')
      .map((route) => ({
        method: route.method,
        nestPath: route.nestPath,
        kind: route.kind,
        roles: route.requirements.roles.flatMap((requirement) => requirement.roles),
        permissions: route.requirements.permissions.length,
      }));
    expect(summary).toEqual([
      { method: 'GET', nestPath: '/api/orders/catalog', kind: 'public', roles: [], permissions: 0 },
      { method: 'GET', nestPath: '/api/orders', kind: 'authenticated', roles: [], permissions: 0 },
      {
        method: 'GET',
        nestPath: '/api/orders/:id',
        kind: 'authenticated',
        roles: [],
        permissions: 0,
      },
      {
        method: 'POST',
        nestPath: '/api/orders',
        kind: 'authenticated',
        roles: ['clerk'],
        permissions: 0,
      },
      {
        method: 'DELETE',
        nestPath: '/api/orders/:id',
        kind: 'authenticated',
        roles: [],
        permissions: 1,
      },
      { method: 'GET', nestPath: '/api/v2/health', kind: 'public', roles: [], permissions: 0 },
      { method: 'GET', nestPath: '/api/v3/health/deep', kind: 'public', roles: [], permissions: 0 },
    ]);
  });

  it('makes every route with @RequireService or @RequireScope a service route, @Public() or not', () => {
    const kinds = readRouteTable([InventoryController], true)
      .filter((route) => route.method !== 'HEAD')
      .map((route) => `${route.method} ${route.nestPath} ${route.kind}`);
    expect(kinds).toEqual([
      'POST /inventory/reserve service',
      'POST /inventory/release service',
      'GET /inventory/levels service',
      'GET /inventory/health service',
      'GET /inventory/:sku authenticated',
      'GET /inventory public',
    ]);
  });
});
