import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import type { PermissionTuple } from '../../../src/index.js';
import { KetoPermissionChecker } from '../../../src/ory/keto/keto-permission-checker.js';
import { OryClients } from '../../../src/ory/ory-clients.js';
import { UpstreamGuards } from '../../../src/resilience/upstream-guards.js';
import { FakeKeto } from '../keto/fake-keto.js';

const view = (object: string): PermissionTuple => ({
  namespace: 'docs',
  object,
  relation: 'view',
  subject: 'alice',
});

describe('the Keto read breaker and malformed answers', () => {
  const keto = new FakeKeto();
  beforeAll(() => keto.start());
  afterAll(() => keto.stop());

  it.each([
    ['single checks', [view('doc-0')]],
    ['batch checks', [view('doc-0'), view('doc-1')]],
  ])(
    'counts a 200 with a malformed body as an outage in %s: it opens the breaker',
    async (_case, tuples) => {
      keto.lie = () => ({});
      keto.calls.length = 0;
      const options = validateIamOptions({
        tenants: {
          default: {
            transport: 'oathkeeper',
            oathkeeper: { jwks: { url: 'http://127.0.0.1:1/jwks.json' }, audience: 'api' },
            keto: { readUrl: keto.url },
            http: { retries: 0, breaker: { failureThreshold: 3, halfOpenAfterMs: 60_000 } },
          },
        },
      });
      const checker = new KetoPermissionChecker(
        new OryClients(options, new UpstreamGuards(options)),
      );
      const codes: string[] = [];
      for (let i = 0; i < 4; i += 1) {
        const error = await checker
          .checkMany('default', tuples)
          .catch((rejection: unknown) => rejection);
        codes.push((error as { code?: string }).code ?? 'none');
      }
      expect(codes).toEqual([
        'auth.upstream_unavailable',
        'auth.upstream_unavailable',
        'auth.upstream_unavailable',
        'upstream.circuit_open',
      ]);
      expect(keto.calls).toHaveLength(3);
    },
  );
});
