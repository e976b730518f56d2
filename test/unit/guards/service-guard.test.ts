/**
 * ServiceGuard through the global guard, on both platforms: service routes need a service with the
 * listed client id and every scope; users never pass them, and services never pass user routes.
 */
import { Controller, Get, UseGuards } from '@nestjs/common';
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  Anonymous,
  CurrentUser,
  type IamIdentity,
  RequireRole,
  RequireScope,
  RequireService,
  SessionGuard,
} from '../../../src/index.js';
import { IamTestingModule, IamTestingState } from '../../../src/testing/index.js';
import { PLATFORMS, type RunningApp, request, startApp } from '../../support/nest-app.js';
import { useAuditedTestingApp } from './audited-testing-app.js';

@Controller('inventory')
@RequireScope('inventory:read')
class InventoryController {
  @Get('reserve')
  @RequireScope('inventory:reserve')
  @RequireService('orders-api')
  reserve(@CurrentUser() caller: IamIdentity) {
    return { id: caller.id, kind: caller.kind };
  }

  @Get('stock')
  stock() {
    return { ok: true };
  }
}

@Controller('me')
class UserController {
  @Get()
  me(@CurrentUser('id') id: string) {
    return { id };
  }

  @Get('maybe')
  @Anonymous()
  maybe() {
    return { ok: true };
  }

  @Get('admin')
  @RequireRole('admin')
  admin() {
    return { ok: true };
  }
}

const ordersApi = {
  id: 'orders-api',
  kind: 'service' as const,
  scope: ['inventory:read', 'inventory:reserve'],
  via: 'oauth2-access-token' as const,
};
const alice = { id: 'alice', roles: ['admin'] };

describe.each(PLATFORMS)('ServiceGuard on %s', (platform) => {
  const app = useAuditedTestingApp(platform, { identity: ordersApi }, [
    InventoryController,
    UserController,
  ]);
  const { events } = app;

  const status = async (path: string) => (await request(`${app.url}${path}`)).status;
  const code = async (path: string) => {
    const { body } = await request(`${app.url}${path}`);
    return typeof body === 'object' && body !== null && 'code' in body ? body.code : undefined;
  };

  it('lets the listed service with every scope (class and handler) through', async () => {
    expect((await request(`${app.url}/inventory/reserve`)).body).toEqual({
      id: 'orders-api',
      kind: 'service',
    });
    expect(events.map((event) => event.name)).toContain('authz.service.allow');
    expect(await status('/inventory/stock')).toBe(200);
  });

  it('refuses a missing scope, including the class one', async () => {
    app.state.setIdentity({ ...ordersApi, scope: ['inventory:reserve'] });
    expect(await code('/inventory/reserve')).toBe('authz.scope.deny');
    expect(await status('/inventory/stock')).toBe(403);
  });

  it('refuses another client with the right scopes', async () => {
    app.state.setIdentity({ ...ordersApi, id: 'billing-api' });
    expect(await code('/inventory/reserve')).toBe('authz.service.deny');
    expect(await status('/inventory/stock')).toBe(200);
  });

  it('refuses a user on a service route, even an admin', async () => {
    app.state.setIdentity(alice);
    expect(await code('/inventory/reserve')).toBe('authz.caller_kind.deny');
    expect(await code('/inventory/stock')).toBe('authz.caller_kind.deny');
    expect(events.map((event) => event.name)).toContain('authz.caller_kind.deny');
  });

  it('refuses a service on user routes (fail closed), anonymous ones included', async () => {
    expect(await code('/me')).toBe('authz.caller_kind.deny');
    expect(await code('/me/maybe')).toBe('authz.caller_kind.deny');
    expect(await code('/me/admin')).toBe('authz.caller_kind.deny');
  });

  it('lets users through user routes, and answers 401 on a service route without credentials', async () => {
    app.state.setIdentity(alice);
    expect(await status('/me')).toBe(200);
    expect(await status('/me/admin')).toBe(200);
    app.state.setIdentity(null);
    expect(await status('/me/maybe')).toBe(200);
    expect(await code('/inventory/reserve')).toBe('auth.failure.missing_credentials');
  });
});

describe('RequireScope and RequireService arguments', () => {
  it('refuse empty lists, empty names and scopes with spaces', () => {
    expect(() => RequireScope()).toThrow(TypeError);
    expect(() => RequireScope('a b')).toThrow(TypeError);
    expect(() => RequireService()).toThrow(TypeError);
    expect(() => RequireService('')).toThrow(TypeError);
  });
});

@Controller('reports')
@UseGuards(SessionGuard)
class OptInController {
  @Get()
  list() {
    return { ok: true };
  }

  @Get('machine')
  @RequireScope('reports:read')
  machine() {
    return { ok: true };
  }
}

describe.each(PLATFORMS)('with global: false on %s', (platform) => {
  let running: RunningApp;
  let state: IamTestingState;

  beforeAll(async () => {
    running = await startApp(
      {
        imports: [IamTestingModule.forRoot({ identity: ordersApi, global: false })],
        controllers: [OptInController],
      },
      platform,
    );
    state = running.app.get(IamTestingState);
  });
  afterAll(() => running.close());
  beforeEach(() => state.reset());

  it('SessionGuard alone refuses a service; a service route still checks its scope', async () => {
    expect((await request(`${running.url}/reports`)).status).toBe(403);
    expect((await request(`${running.url}/reports/machine`)).status).toBe(403);
    state.setIdentity({ ...ordersApi, scope: ['reports:read'] });
    expect((await request(`${running.url}/reports/machine`)).status).toBe(200);
    state.setIdentity(alice);
    expect((await request(`${running.url}/reports`)).status).toBe(200);
    expect((await request(`${running.url}/reports/machine`)).status).toBe(403);
  });
});
