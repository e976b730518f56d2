import { Test } from '@nestjs/testing';
import { describe, expect, it } from 'vitest';
import { IamConfigurationError, ServiceTokens } from '../../../src/index.js';
import { IamTestingModule, IamTestingState } from '../../../src/testing/index.js';

async function standIn() {
  const moduleRef = await Test.createTestingModule({
    imports: [IamTestingModule.forRoot()],
  }).compile();
  return { tokens: moduleRef.get(ServiceTokens), state: moduleRef.get(IamTestingState) };
}

describe('IamTestingModule: the ServiceTokens stand-in', () => {
  it('issues recognisable tokens through the real cache, and records what reached the issuer', async () => {
    const { tokens, state } = await standIn();
    const reserve = { audience: 'inventory-api', scope: ['inventory:reserve'] };
    const token = await tokens.forTenant('default').token(reserve);
    expect(token.authorization).toBe('Bearer testing:inventory-api:inventory:reserve');
    await tokens.forTenant('default', { deadlineMs: 100 }).token(reserve);
    expect(state.requestedServiceTokens).toEqual([
      { audience: ['inventory-api'], scope: ['inventory:reserve'] },
    ]);
    expect(() => tokens.forTenant('other')).toThrow(IamConfigurationError);
  });

  it('fails like Hydra down or refusing until reset, which also forgets the cache', async () => {
    const { tokens, state } = await standIn();
    state.failServiceTokensWith('service_token.rejected');
    await expect(
      tokens.forTenant('default').token({ audience: 'inventory-api' }),
    ).rejects.toMatchObject({
      code: 'service_token.rejected',
      retryAfterSeconds: 5,
    });
    state.reset();
    expect(state.requestedServiceTokens).toEqual([]);
    await tokens.forTenant('default').token({ audience: 'inventory-api' });
    state.reset();
    await tokens.forTenant('default').token({ audience: 'inventory-api' });
    expect(state.requestedServiceTokens).toHaveLength(1);
  });
});
