import { randomUUID } from 'node:crypto';
import { Controller, Get } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { CurrentUser, type IamIdentity, IamModule } from '../../../src/index.js';
import { PLATFORMS, type Platform, type RunningApp, startApp } from '../../support/nest-app.js';
import { registerNative, setRoles } from '../../support/ory/kratos-flows.js';
import type { OryStack } from '../../support/ory/stack.js';
import { useOryStack } from '../../support/ory/vitest.js';

@Controller('orders')
class OrdersController {
  @Get()
  list(@CurrentUser() user: IamIdentity) {
    return { id: user.id, roles: user.roles, tenant: user.tenant };
  }
}

/** The walkthrough's orders-api configuration, pointed at the running stack. */
function startOrdersApi(stack: OryStack, platform: Platform): Promise<RunningApp> {
  const { kratosPublic, jwksUrl, issuer } = stack.urls;
  if (!kratosPublic || !jwksUrl || !issuer) throw new Error('the stack is missing a server');
  return startApp(
    {
      imports: [
        IamModule.forRoot({
          tenants: {
            default: {
              mode: 'self-hosted',
              transport: 'oathkeeper',
              kratos: { publicUrl: kratosPublic },
              oathkeeper: {
                verifier: 'jwt',
                jwks: { url: jwksUrl },
                issuer,
                audience: 'orders-api',
                replayProtection: { enabled: true },
                identityHeader: 'Authorization',
              },
            },
          },
        }),
      ],
      controllers: [OrdersController],
    },
    platform,
  );
}

async function newSession(stack: OryStack, roles: readonly string[]) {
  const { kratosPublic, kratosAdmin } = stack.urls;
  if (!kratosPublic || !kratosAdmin) throw new Error('Kratos is not running');
  const email = `${randomUUID()}@example.test`;
  const user = await registerNative(kratosPublic, email, 'integration-Passw0rd');
  await setRoles(kratosAdmin, user.identityId, roles);
  return user;
}

const ordersThroughOathkeeper = (stack: OryStack, sessionToken: string) =>
  fetch(`${stack.urls.oathkeeperProxy}/orders`, {
    headers: { Authorization: `Bearer ${sessionToken}` },
  });

describe.each(PLATFORMS)(
  'a Nest app with IamModule behind the real Oathkeeper (%s)',
  (platform) => {
    const ory = useOryStack({
      keto: false,
      oathkeeper: { routes: {}, claimsTemplate: 'per-request' },
    });
    let app: RunningApp;
    beforeAll(async () => {
      app = await startOrdersApi(ory(), platform);
      await ory().setRoutes({ '/orders': app.url });
    });
    afterAll(async () => {
      await app?.close();
    });

    it('sees the Kratos identity id as @CurrentUser().id, with roles from metadata_public', async () => {
      const user = await newSession(ory(), ['admin']);
      for (let attempt = 0; attempt < 2; attempt += 1) {
        const response = await ordersThroughOathkeeper(ory(), user.sessionToken);
        expect(response.status).toBe(200);
        expect(await response.json()).toEqual({
          id: user.identityId,
          roles: ['admin'],
          tenant: 'default',
        });
      }
    });

    it('refuses the Kratos session token sent straight to the app', async () => {
      const user = await newSession(ory(), []);
      const response = await fetch(`${app.url}/orders`, {
        headers: { Authorization: `Bearer ${user.sessionToken}` },
      });
      expect(response.status).toBe(401);
    });

    it('refuses a replayed Oathkeeper token', async () => {
      const user = await newSession(ory(), []);
      const decision = await fetch(`${ory().urls.oathkeeperApi}/decisions/orders`, {
        headers: {
          Authorization: `Bearer ${user.sessionToken}`,
          'X-Forwarded-Method': 'GET',
          'X-Forwarded-Proto': 'http',
          'X-Forwarded-Host': new URL(ory().urls.oathkeeperProxy ?? '').host,
        },
      });
      const minted = decision.headers.get('authorization') ?? '';
      expect(minted).toMatch(/^Bearer ey/);

      const first = await fetch(`${app.url}/orders`, { headers: { Authorization: minted } });
      const replayed = await fetch(`${app.url}/orders`, { headers: { Authorization: minted } });

      expect(first.status).toBe(200);
      expect(replayed.status).toBe(401);
      expect(((await replayed.json()) as { code: string }).code).toBe('auth.failure.replay');
    });
  },
);

describe('a Nest app with replay protection behind Oathkeeper without a per-request claim', () => {
  const ory = useOryStack({ keto: false, oathkeeper: { routes: {}, claimsTemplate: 'cached' } });
  let app: RunningApp;
  beforeAll(async () => {
    app = await startOrdersApi(ory(), 'express');
    await ory().setRoutes({ '/orders': app.url });
  });
  afterAll(async () => {
    await app?.close();
  });

  it('refuses the second request, naming the claims template as the likely cause', async () => {
    const user = await newSession(ory(), []);

    const first = await ordersThroughOathkeeper(ory(), user.sessionToken);
    const second = await ordersThroughOathkeeper(ory(), user.sessionToken);

    expect(first.status).toBe(200);
    expect(second.status).toBe(401);
    const body = (await second.json()) as { code: string; message: string };
    expect(body.code).toBe('auth.failure.replay');
    expect(body.message).toContain('{{ uuidv4 }}');
  });
});
