/**
 * `roles.combine` on real Nest apps (Express and Fastify) with Oathkeeper-style JWTs: with
 * `override` (the default) a handler's `@RequireRole` replaces its class's, with `all` both must
 * hold; a class requirement alone applies the same in both modes.
 */
import { Controller, Get } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type IamModuleOptions, RequireRole } from '../../../src/index.js';
import { PLATFORMS, request } from '../../support/nest-app.js';
import { type SignedApp, startSignedApp } from '../../support/signed-app.js';

@Controller('reports')
@RequireRole('staff')
class ReportsController {
  @Get()
  list() {
    return { ok: true };
  }

  @Get('admin')
  @RequireRole('admin')
  admin() {
    return { ok: true };
  }

  @Get('audit')
  @RequireRole(['auditor', 'admin'], { match: 'all' })
  audit() {
    return { ok: true };
  }
}

/** [route, roles of the caller, status with `override`, status with `all`] */
const CASES: readonly [string, readonly string[], number, number][] = [
  ['/reports', ['staff'], 200, 200],
  ['/reports', ['admin'], 403, 403],
  ['/reports/admin', ['admin'], 200, 403],
  ['/reports/admin', ['staff'], 403, 403],
  ['/reports/admin', ['staff', 'admin'], 200, 200],
  ['/reports/audit', ['auditor', 'admin'], 200, 403],
  ['/reports/audit', ['staff', 'auditor'], 403, 403],
  ['/reports/audit', ['staff', 'auditor', 'admin'], 200, 200],
];

const MODES: readonly (IamModuleOptions['roles'] & {})[] = [
  {},
  { combine: 'override' },
  { combine: 'all' },
];

describe.each(PLATFORMS)('class and handler roles on %s', (platform) => {
  describe.each(MODES)('roles: %o', (roles) => {
    let app: SignedApp;

    beforeAll(async () => {
      app = await startSignedApp(platform, {
        audience: 'reports-api',
        decisions: { roles },
        metadata: { controllers: [ReportsController] },
      });
    });
    afterAll(() => app?.close());

    it.each(CASES)('%s with roles %j', async (path, held, whenOverride, whenAll) => {
      const expected = roles.combine === 'all' ? whenAll : whenOverride;
      const token = app.token('alice', { metadataPublic: { roles: held } });
      const response = await request(`${app.url}${path}`, {
        headers: { Authorization: `Bearer ${token}` },
      });
      expect(response.status).toBe(expected);
      if (expected === 403) expect(response.body).toMatchObject({ code: 'authz.role.deny' });
    });

    it('audits a denial of either requirement as authz.role.deny', async () => {
      const token = app.token('alice', { metadataPublic: { roles: ['admin'] } });
      const denied = app.nextEvent('authz.role.deny');
      await request(`${app.url}/reports`, { headers: { Authorization: `Bearer ${token}` } });
      expect(await denied).toMatchObject({ subject: 'alice', route: '/reports' });
    });
  });
});
