import { describe, expect, it } from 'vitest';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { problemsOf, withTenant } from '../config/fixtures.js';

const selfHosted = (keto: Record<string, unknown>) => ({
  transport: 'bearer',
  kratos: { publicUrl: 'http://127.0.0.1:4433' },
  keto: { readUrl: 'http://127.0.0.1:4466', ...keto },
});

const cloud = (keto: Record<string, unknown>) => ({
  mode: 'cloud',
  transport: 'bearer',
  cloud: { projectSlug: 'playful-pike-1a2b3c', apiKey: 'ory_pat_x' },
  keto,
});

const ketoOf = (tenant: unknown) => validateIamOptions(withTenant(tenant)).tenants.default?.keto;

describe('keto.decisionCache and keto.maxBatchCheckSize', () => {
  it('are absent (no cache, Keto default batch size) unless configured', () => {
    expect(ketoOf(selfHosted({}))).toEqual({ readUrl: 'http://127.0.0.1:4466' });
  });

  it('default the ttl to 2 s and the size to 10000 entries', () => {
    expect(ketoOf(selfHosted({ decisionCache: { enabled: true } }))?.decisionCache).toEqual({
      enabled: true,
      ttlMs: 2_000,
      maxEntries: 10_000,
    });
    expect(
      ketoOf(selfHosted({ maxBatchCheckSize: 25, decisionCache: { enabled: false } })),
    ).toMatchObject({ maxBatchCheckSize: 25, decisionCache: { enabled: false } });
  });

  it('are accepted in cloud mode, where the endpoints are derived', () => {
    expect(ketoOf(cloud({ decisionCache: { enabled: true, ttlMs: 500 } }))).toMatchObject({
      readUrl: 'https://playful-pike-1a2b3c.projects.oryapis.com',
      adminToken: 'ory_pat_x',
      decisionCache: { enabled: true, ttlMs: 500, maxEntries: 10_000 },
    });
    expect(problemsOf(withTenant(cloud({ readUrl: 'http://keto', maxBatchCheckSize: 5 })))).toEqual(
      [
        "tenants.default.keto: is derived from 'cloud' in cloud mode; remove it (or use mode 'self-hosted')",
      ],
    );
    expect(problemsOf(withTenant(cloud({ cache: true })))).toEqual([
      expect.stringMatching(/^tenants\.default\.keto\.cache: is not a known option/),
    ]);
  });

  it('reports a long ttl, bad sizes, a missing enabled flag and unknown keys by path', () => {
    expect(
      problemsOf(
        withTenant(
          selfHosted({
            maxBatchCheckSize: 0,
            decisionCache: { ttlMs: 120_000, maxEntries: -1, ttl: 5 },
          }),
        ),
      ),
    ).toEqual([
      'tenants.default.keto.maxBatchCheckSize: must be a positive integer (tuples), got 0',
      "tenants.default.keto.decisionCache.ttl: is not a known option (did you mean 'ttlMs'?)",
      'tenants.default.keto.decisionCache.enabled: is required',
      'tenants.default.keto.decisionCache.ttlMs: must be at most 60000 (milliseconds), got 120000',
      'tenants.default.keto.decisionCache.maxEntries: must be a positive integer (entries), got -1',
    ]);
  });
});
