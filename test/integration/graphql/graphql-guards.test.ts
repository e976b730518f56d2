/**
 * The guards in real GraphQL apps (Apollo on Express, Mercurius on Fastify) with Oathkeeper-style
 * JWTs: each resolver is a decision of its own, one authentication serves every resolver of an HTTP
 * request (one verification, one jti claim, even when the resolvers run concurrently), and state
 * left by an anonymous resolver never satisfies a protected one.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { effects } from './resolvers.js';
import {
  codesByField,
  GRAPHQL_SERVERS,
  type GraphqlApp,
  type GraphqlResult,
  startGraphqlApp,
} from './support.js';

const one = (body: GraphqlResult | GraphqlResult[]): GraphqlResult => {
  if (Array.isArray(body)) throw new Error('expected one result, got a batch');
  return body;
};

describe.each(GRAPHQL_SERVERS)('GraphQL on $platform with $driver', (server) => {
  describe.each([true, false])('replay protection %s', (replay) => {
    let app: GraphqlApp;

    beforeAll(async () => {
      app = await startGraphqlApp(server, { replay });
    });
    afterAll(async () => {
      await app?.close();
    });
    beforeEach(() => {
      effects.length = 0;
      app.events.length = 0;
    });

    it('refuses a protected mutation that follows an anonymous one in the same request', async () => {
      const { status, body } = await app.post({ query: 'mutation { ping deleteEverything }' });
      expect(status).toBe(200);
      expect(codesByField(one(body))).toEqual({
        deleteEverything: 'auth.failure.missing_credentials',
      });
      expect(effects).toEqual([]);
    });

    it('refuses protected queries that run beside an anonymous one', async () => {
      const { body } = await app.post({ query: '{ whoami secret adminReport }' });
      expect(codesByField(one(body))).toEqual({
        secret: 'auth.failure.missing_credentials',
        adminReport: 'auth.failure.missing_credentials',
      });
      expect(effects).toEqual([]);
    });

    it('answers a public field without credentials and refuses the protected one beside it', async () => {
      const { body } = await app.post({ query: '{ health secret }' });
      expect(codesByField(one(body))).toEqual({ secret: 'auth.failure.missing_credentials' });
      expect(effects).toEqual([]);
    });

    it('verifies a token once for concurrent resolvers and aliases of one request', async () => {
      const { body } = await app.post(
        { query: '{ a: secret b: secret whoami }' },
        app.token('alice'),
      );
      expect(one(body)).toEqual({
        data: { a: 'secret for alice', b: 'secret for alice', whoami: 'alice' },
      });
      expect(app.events.filter((event) => event.name === 'auth.success')).toHaveLength(1);
    });

    it('runs a guarded field resolver for the role it requires, and refuses it otherwise', async () => {
      const admin = await app.post(
        { query: '{ box { id guarded } secret }' },
        app.token('root', { metadataPublic: { roles: ['admin'] } }),
      );
      expect(one(admin.body)).toEqual({
        data: { box: { id: 'box-1', guarded: 'guarded box-1' }, secret: 'secret for root' },
      });

      effects.length = 0;
      const user = await app.post({ query: '{ box { id guarded } }' }, app.token('bob'));
      expect(codesByField(one(user.body))).toEqual({ 'box.guarded': 'authz.role.deny' });
      expect(effects).toEqual([]);
    });

    it('refuses an anonymous field resolver path to a guarded field without credentials', async () => {
      const { body } = await app.post({ query: '{ box { id guarded } }' });
      expect(codesByField(one(body))).toEqual({
        'box.guarded': 'auth.failure.missing_credentials',
      });
      expect(effects).toEqual([]);
    });

    it('still refuses invalid credentials on an @Anonymous() field', async () => {
      const { body } = await app.post({ query: '{ whoami }' }, 'not.a.token');
      expect(codesByField(one(body))).toEqual({ whoami: 'auth.failure.malformed' });
    });

    it('authenticates a batch of operations once with one token', async () => {
      const { body } = await app.post(
        [
          { query: '{ secret }' },
          { query: '{ whoami }' },
          { query: 'mutation { deleteEverything }' },
        ],
        app.token('carol'),
      );
      expect(body).toEqual([
        { data: { secret: 'secret for carol' } },
        { data: { whoami: 'carol' } },
        { data: { deleteEverything: 'deleted' } },
      ]);
      expect(app.events.filter((event) => event.name === 'auth.success')).toHaveLength(1);
    });

    it('refuses every field of a batch without credentials but the anonymous ones', async () => {
      const { body } = await app.post([
        { query: 'mutation { ping }' },
        { query: 'mutation { deleteEverything }' },
      ]);
      expect(Array.isArray(body) ? body.map(codesByField) : body).toEqual([
        {},
        { deleteEverything: 'auth.failure.missing_credentials' },
      ]);
      expect(effects).toEqual([]);
    });

    it(`${replay ? 'refuses' : 'accepts'} the same token in a second HTTP request`, async () => {
      const token = app.token('dave');
      expect(one((await app.post({ query: '{ secret }' }, token)).body).data).toEqual({
        secret: 'secret for dave',
      });
      const again = one((await app.post({ query: '{ a: secret b: secret }' }, token)).body);
      if (replay) {
        expect(codesByField(again)).toEqual({
          a: 'auth.failure.replay',
          b: 'auth.failure.replay',
        });
      } else {
        expect(again.data).toEqual({ a: 'secret for dave', b: 'secret for dave' });
      }
    });
  });
});
