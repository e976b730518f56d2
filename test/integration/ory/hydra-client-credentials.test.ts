import { randomUUID } from 'node:crypto';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { describe, expect, it } from 'vitest';
import { clientCredentialsToken, createServiceClient } from '../../support/ory/hydra-clients.js';
import { useOryStack } from '../../support/ory/vitest.js';

describe('Hydra v2.3.0 in the harness (real server, in-memory storage)', () => {
  const ory = useOryStack({ kratos: false, keto: false, hydra: true });
  const urls = () => {
    const { hydraPublic, hydraAdmin } = ory().urls;
    if (!hydraPublic || !hydraAdmin) throw new Error('Hydra is not running');
    return { hydraPublic, hydraAdmin };
  };

  it('runs Hydra alone, and only Hydra', () => {
    expect(ory().servers).toEqual(['hydra']);
  });

  it('issues client-credentials JWT access tokens that verify against its JWKS', async () => {
    const { hydraPublic, hydraAdmin } = urls();
    const id = `orders-api-${randomUUID()}`;
    const client = await createServiceClient(hydraAdmin, {
      id,
      scope: ['inventory:reserve', 'inventory:read'],
      audience: ['inventory-api'],
    });
    const token = await clientCredentialsToken(hydraPublic, client, {
      scope: ['inventory:reserve'],
      audience: ['inventory-api'],
    });
    const { payload, protectedHeader } = await jwtVerify(
      token,
      createRemoteJWKSet(new URL(`${hydraPublic}/.well-known/jwks.json`)),
      { issuer: `${hydraPublic}/`, audience: 'inventory-api' },
    );
    expect(protectedHeader.alg).toBe('RS256');
    expect(payload).toMatchObject({ sub: id, client_id: id, scp: ['inventory:reserve'] });
    expect(typeof payload.jti).toBe('string');
  });

  it('refuses a scope the client was not granted', async () => {
    const { hydraPublic, hydraAdmin } = urls();
    const client = await createServiceClient(hydraAdmin, {
      id: `orders-api-${randomUUID()}`,
      scope: ['inventory:read'],
      audience: ['inventory-api'],
    });
    await expect(
      clientCredentialsToken(hydraPublic, client, {
        scope: ['inventory:reserve'],
        audience: ['inventory-api'],
      }),
    ).rejects.toThrow(/invalid_scope/);
  });
});
