/**
 * Issue 15 item 6, JWKS: the real Oathkeeper's JWKS (its API port) reached through Toxiproxy, and
 * tokens its id_token mutator signed for a real Kratos session. A service starting while the JWKS
 * suffers a network fault has no key: every request answers 503 with `Retry-After`, never a 200
 * and never a 401 (the token is good), and passes once the fault is gone, without a restart (the
 * store retries about once a second). A service that loaded the keys before the fault keeps
 * verifying with them. The JWKS faults no proxy can produce (an emptied set, an oversized body)
 * are unit tests; a key rotated during an outage is test/integration/jwt/jwks-real-oathkeeper.test.ts.
 */
import { randomUUID } from 'node:crypto';
import { Controller, Get } from '@nestjs/common';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { AUDIT_SINK, CurrentUser, type IamAuditEvent, IamModule } from '../../../src/index.js';
import {
  PLATFORMS,
  type Platform,
  type RunningApp,
  request,
  startApp,
} from '../../support/nest-app.js';
import { type EchoUpstream, startEchoUpstream } from '../../support/ory/echo-upstream.js';
import { registerNative } from '../../support/ory/kratos-flows.js';
import { useOryStack } from '../../support/ory/vitest.js';
import type { ToxiproxyProxy } from '../../support/toxiproxy/client.js';
import { FAULTS, injectFault } from '../../support/toxiproxy/faults.js';
import { useToxiproxy } from '../../support/toxiproxy/vitest.js';
import { expectOutageAnswers, untilHealed, watchUnhandledRejections } from './invariants.js';

const TIMEOUT_MS = 300;

interface Service extends RunningApp {
  readonly events: IamAuditEvent[];
}

@Controller('orders')
class OrdersController {
  @Get()
  list(@CurrentUser('id') id: string) {
    return { user: id };
  }
}

/** What Oathkeeper forwards to, with the token it minted: one for both platforms. */
let upstream: EchoUpstream;
beforeAll(async () => {
  upstream = await startEchoUpstream();
});
afterAll(() => upstream?.close());

describe.each(PLATFORMS)('Oathkeeper JWKS behind Toxiproxy on %s', (platform) => {
  const ory = useOryStack(() => ({
    keto: false,
    oathkeeper: { routes: { '/orders': upstream.url } },
  }));
  const toxiproxy = useToxiproxy();
  const unhandledRejections = watchUnhandledRejections();
  let proxy: ToxiproxyProxy;
  let sessionToken: string;
  let warm: Service;

  /** A service verifying Oathkeeper's tokens with the JWKS through the proxy. */
  const startService = async (on: Platform): Promise<Service> => {
    const events: IamAuditEvent[] = [];
    const running = await startApp(
      {
        imports: [
          IamModule.forRoot({
            tenants: {
              default: {
                transport: 'oathkeeper',
                oathkeeper: {
                  jwks: { url: `${proxy.url()}/.well-known/jwks.json`, timeoutMs: TIMEOUT_MS },
                  issuer: ory().urls.issuer,
                  audience: 'orders-api',
                  identityHeader: 'Authorization',
                },
              },
            },
          }),
        ],
        controllers: [OrdersController],
        providers: [
          { provide: AUDIT_SINK, useValue: { emit: (event: IamAuditEvent) => events.push(event) } },
        ],
      },
      on,
    );
    return { ...running, events };
  };

  /** A token Oathkeeper's id_token mutator signed for one request of the session. */
  const mintToken = async (): Promise<string> => {
    const before = upstream.hits.length;
    const response = await fetch(`${ory().urls.oathkeeperProxy}/orders`, {
      headers: { Authorization: `Bearer ${sessionToken}` },
    });
    expect(response.status).toBe(200);
    const header = upstream.hits[before]?.headers.authorization;
    if (typeof header !== 'string') throw new Error('the upstream got no Authorization header');
    return header.replace(/^Bearer /, '');
  };

  beforeAll(async () => {
    const api = ory().urls.oathkeeperApi ?? '';
    proxy = await toxiproxy().createProxy(`oathkeeper-api-${platform}`, new URL(api).host);
    sessionToken = (
      await registerNative(
        ory().urls.kratosPublic ?? '',
        `${randomUUID()}@example.test`,
        'faults-Passw0rd-x',
      )
    ).sessionToken;
    warm = await startService(platform);
    // Its keys are loaded once it has verified a token.
    const token = await mintToken();
    await untilHealed(() =>
      request(`${warm.url}/orders`, { headers: { Authorization: `Bearer ${token}` } }),
    );
  });
  afterAll(() => warm?.close());

  it.each(FAULTS)(
    '%s: a cold service answers 503 with Retry-After, never a 401, and passes once healed; a warm one keeps verifying',
    async (fault) => {
      const rejectionsBefore = unhandledRejections().length;
      const token = await mintToken();
      const send = (url: string) => () =>
        request(`${url}/orders`, { headers: { Authorization: `Bearer ${token}` } });
      const heal = await injectFault(proxy, fault, TIMEOUT_MS);
      const cold = await startService(platform);
      try {
        try {
          await expectOutageAnswers(send(cold.url));
          expect((await send(warm.url)()).status, 'the keys loaded before the fault').toBe(200);
        } finally {
          await heal();
        }
        await untilHealed(send(cold.url));
        const names = cold.events.map((event) => event.name);
        expect(names).toContain('jwks.refresh.failure');
        expect(names.filter((name) => name.startsWith('auth.failure'))).toEqual([]);
      } finally {
        await cold.close();
      }
      expect(unhandledRejections().slice(rejectionsBefore)).toEqual([]);
    },
  );
});
