import { Controller, Get } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CurrentUser,
  IamModule,
  type PermissionTuple,
  RequirePermission,
} from '../../../src/index.js';
import {
  PERMISSION_CHECKER,
  type PermissionChecker,
  type TestJwksServer,
  TestSigner,
} from '../../../src/testing/index.js';
import { PLATFORMS, type RunningApp, request, startApp } from '../../support/nest-app.js';

@Controller('orders')
class OrdersController {
  @Get(':id')
  @RequirePermission({
    namespace: 'orders',
    relation: 'view',
    object: (req) => req.params.id ?? '',
  })
  one(@CurrentUser('id') id: string) {
    return { viewer: id };
  }
}

/** The docs' recipe: real JWT verification, permission answers from the test, no Keto. */
describe.each(PLATFORMS)('a JWT and @RequirePermission without Keto on %s', (platform) => {
  const signer = TestSigner.create();
  const asked: PermissionTuple[] = [];
  const checker: PermissionChecker = {
    checkMany: async (_tenant, tuples) => {
      asked.push(...tuples);
      return tuples.map((tuple) => tuple.subject === 'alice' && tuple.object === 'order-1');
    },
  };
  let jwks: TestJwksServer;
  let running: RunningApp;

  beforeAll(async () => {
    jwks = await signer.serve();
    running = await startApp(
      {
        imports: [
          IamModule.forRoot({
            tenants: {
              default: {
                transport: 'oathkeeper',
                oathkeeper: {
                  verifier: 'jwt',
                  jwks: { url: jwks.url },
                  audience: 'orders-api',
                  identityHeader: 'Authorization',
                },
                // Where production finds Keto; nothing listens there in this test.
                keto: { readUrl: 'http://127.0.0.1:9' },
              },
            },
          }),
        ],
        controllers: [OrdersController],
      },
      platform,
      (builder) => builder.overrideProvider(PERMISSION_CHECKER).useValue(checker),
    );
  });
  afterAll(async () => {
    await running.close();
    await jwks.close();
  });

  const get = (path: string, sub?: string) =>
    request(`${running.url}${path}`, {
      headers:
        sub === undefined
          ? {}
          : {
              authorization: `Bearer ${signer.mint({ sub, aud: ['orders-api'], tenant: 'default' })}`,
            },
    });

  it('verifies the token, then answers the permission from the test', async () => {
    expect(await get('/orders/order-1', 'alice')).toMatchObject({
      status: 200,
      body: { viewer: 'alice' },
    });
    expect(asked.at(-1)).toEqual({
      namespace: 'orders',
      object: 'order-1',
      relation: 'view',
      subject: 'alice',
    });
    expect(await get('/orders/order-2', 'alice')).toMatchObject({
      status: 403,
      body: { code: 'authz.permission.deny' },
    });
    expect((await get('/orders/order-1')).status).toBe(401);
  });
});
