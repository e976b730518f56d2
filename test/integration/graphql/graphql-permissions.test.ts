/**
 * @RequirePermission on GraphQL resolvers against the real Keto: the object comes from the
 * resolver's own arguments, so each aliased field is checked with what it was called with, never
 * with the HTTP request's variables.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { useOryStack } from '../../support/ory/vitest.js';
import { KetoAdmin, ketoUrls, newId } from '../keto/support.js';
import { effects } from './resolvers.js';
import {
  codesByField,
  GRAPHQL_SERVERS,
  type GraphqlApp,
  type GraphqlResult,
  startGraphqlApp,
} from './support.js';

describe.each(GRAPHQL_SERVERS)('GraphQL permissions on $platform with $driver', (server) => {
  const ory = useOryStack({ kratos: false });
  let app: GraphqlApp;
  let keto: KetoAdmin;

  beforeAll(async () => {
    const urls = ketoUrls(ory());
    keto = new KetoAdmin(urls.writeUrl);
    app = await startGraphqlApp(server, { replay: true, keto: urls });
  });
  afterAll(async () => {
    await app?.close();
  });
  beforeEach(() => {
    effects.length = 0;
  });

  it('checks each aliased field with its own arguments, not the request variables', async () => {
    const [alice, mine, victim] = [newId('alice'), newId('order'), newId('order')];
    await keto.write({ namespace: 'orders', object: mine, relation: 'delete', subject: alice });

    const { body } = await app.post(
      {
        query: `mutation ($id: String!) { a: deleteOrder(id: $id) b: deleteOrder(id: "${victim}") }`,
        variables: { id: mine },
      },
      app.token(alice),
    );
    const result = body as GraphqlResult;
    expect(result.data).toEqual({ a: mine, b: null });
    expect(codesByField(result)).toEqual({ b: 'authz.permission.deny' });
    expect(effects).toEqual([`deleteOrder ${mine} by ${alice}`]);
  });

  it('checks every operation of a batch with its own arguments', async () => {
    const [bob, mine, victim] = [newId('bob'), newId('order'), newId('order')];
    await keto.write({ namespace: 'orders', object: mine, relation: 'delete', subject: bob });

    const { body } = await app.post(
      [
        { query: 'mutation ($id: String!) { deleteOrder(id: $id) }', variables: { id: mine } },
        { query: 'mutation ($id: String!) { deleteOrder(id: $id) }', variables: { id: victim } },
      ],
      app.token(bob),
    );
    expect(Array.isArray(body) ? body.map(codesByField) : body).toEqual([
      {},
      { deleteOrder: 'authz.permission.deny' },
    ]);
    expect(effects).toEqual([`deleteOrder ${mine} by ${bob}`]);
  });
});
