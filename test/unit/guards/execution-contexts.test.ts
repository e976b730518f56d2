import type { ExecutionContext } from '@nestjs/common';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import { Test, type TestingModule } from '@nestjs/testing';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { getIdentity, Public, RoleGuard, SessionGuard } from '../../../src/index.js';
import { IamTestingModule, IamTestingState } from '../../../src/testing/index.js';

class Resolver {
  @Public()
  open() {}

  guarded() {}
}

function context(type: string, args: unknown[], handler: keyof Resolver): ExecutionContext {
  const host = new ExecutionContextHost(args, Resolver, Resolver.prototype[handler]);
  host.setType(type);
  return host;
}

function fakeHttpRequest(): object {
  return { method: 'POST', url: '/graphql', headers: {} };
}

describe('execution contexts', () => {
  let moduleRef: TestingModule;
  let guard: SessionGuard;

  beforeAll(async () => {
    moduleRef = await Test.createTestingModule({
      imports: [IamTestingModule.forRoot({ identity: { id: 'alice' } })],
    }).compile();
    await moduleRef.init();
    guard = moduleRef.get(SessionGuard);
  });
  afterAll(() => moduleRef.close());

  it('reads the request of a GraphQL resolver from the GraphQL context (Apollo: req)', async () => {
    const req = fakeHttpRequest();
    await expect(
      guard.canActivate(context('graphql', [{}, {}, { req }, {}], 'guarded')),
    ).resolves.toBe(true);
    expect(getIdentity(req)?.id).toBe('alice');
  });

  it('reads the request of a GraphQL resolver from the GraphQL context (Mercurius: request)', async () => {
    const request = fakeHttpRequest();
    await guard.canActivate(context('graphql', [{}, {}, { request, reply: {} }, {}], 'guarded'));
    expect(getIdentity(request)?.id).toBe('alice');
  });

  it('denies a GraphQL context without a request', async () => {
    await expect(
      guard.canActivate(context('graphql', [{}, {}, {}, {}], 'guarded')),
    ).rejects.toMatchObject({
      code: 'auth.failure.unsupported_context',
    });
  });

  it('denies a GraphQL subscription even when its context carries a request', async () => {
    const req = fakeHttpRequest();
    const info = { operation: { operation: 'subscription' } };
    await expect(
      guard.canActivate(context('graphql', [{}, {}, { req }, info], 'guarded')),
    ).rejects.toMatchObject({ code: 'auth.failure.unsupported_context' });
    expect(getIdentity(req)).toBeUndefined();
  });

  it.each(['ws', 'rpc'])('denies %s contexts it cannot verify', async (type) => {
    await expect(guard.canActivate(context(type, [{}, {}], 'guarded'))).rejects.toMatchObject({
      code: 'auth.failure.unsupported_context',
    });
  });

  it.each(['ws', 'rpc'])('lets @Public %s handlers through', async (type) => {
    await expect(guard.canActivate(context(type, [{}, {}], 'open'))).resolves.toBe(true);
  });

  it('lets RoleGuard pass handlers that require no role in any context', () => {
    expect(moduleRef.get(RoleGuard).canActivate(context('ws', [{}, {}], 'guarded'))).toBe(true);
  });

  describe('WebSocket gateway messages (IamTestingModule)', () => {
    const socket = () => ({ request: { method: 'GET', url: '/socket.io/', headers: {} } });
    const state = () => moduleRef.get(IamTestingState);
    afterEach(() => state().reset());

    it('authenticates a socket once and keeps the identity on that socket only', async () => {
      const first = socket();
      const second = socket();
      await expect(guard.canActivate(context('ws', [first, {}], 'guarded'))).resolves.toBe(true);
      state().setIdentity({ id: 'bob' });
      await expect(guard.canActivate(context('ws', [first, {}], 'guarded'))).resolves.toBe(true);
      await expect(guard.canActivate(context('ws', [second, {}], 'guarded'))).resolves.toBe(true);
      expect(getIdentity(first)?.id).toBe('alice');
      expect(getIdentity(second)?.id).toBe('bob');
      expect(getIdentity(first.request)).toBeUndefined();
    });

    it('refuses a message once the testing identity has expired', async () => {
      state().setIdentity({ id: 'carol', expiresAt: Date.now() - 1 });
      await expect(
        guard.canActivate(context('ws', [socket(), {}], 'guarded')),
      ).rejects.toMatchObject({ code: 'auth.failure.session_inactive' });
    });
  });
});
