/**
 * Requests in flight with one credential share one Kratos answer (with the session cache on), so
 * the identities handed to their handlers share its traits and metadata: those must be frozen all
 * the way down, or one handler's change would show in another request.
 */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { HttpIamRequest } from '../../../src/request/http-request.js';
import { InMemorySessionStore } from '../../../src/session-cache/in-memory-session-store.js';
import { FakeKratos, kratosSession } from './fake-kratos.js';
import { kratosTransportOf } from './kratos-transport-fixtures.js';

const TOKEN = 'ory_st_abcdefghijklmnopqrstuvwxyz012345';
const kratos = new FakeKratos();
beforeAll(() => kratos.start());
afterAll(() => kratos.stop());
beforeEach(() => kratos.reset());

describe('Kratos transport identities', () => {
  it('are deeply frozen, so a handler cannot change the traits another request sees', async () => {
    kratos.answer('GET /sessions/whoami', {
      status: 200,
      body: kratosSession({
        identity: {
          traits: { email: 'alice@example.test', name: { first: 'Alice' } },
          metadata_public: { roles: ['editor'] },
        },
      }),
    });
    const transport = kratosTransportOf(
      {
        tenants: {
          default: {
            transport: 'bearer',
            kratos: { publicUrl: kratos.url, sessionCache: { enabled: true } },
          },
        },
      },
      'default',
      new InMemorySessionStore(),
    );
    const request = () => new HttpIamRequest({ headers: { 'x-session-token': TOKEN } });

    const [first, second] = await Promise.all([
      transport.authenticate(request()),
      transport.authenticate(request()),
    ]);
    const traits = first?.traits as { email: string; name: { first: string } } | undefined;
    const metadata = first?.metadataPublic as { roles: string[] } | undefined;
    if (traits === undefined || metadata === undefined) throw new Error('no identity');

    expect(() => {
      traits.email = 'mallory@example.test';
    }).toThrow(TypeError);
    expect(() => {
      traits.name.first = 'Mallory';
    }).toThrow(TypeError);
    expect(() => metadata.roles.push('admin')).toThrow(TypeError);
    expect(second).toMatchObject({
      traits: { email: 'alice@example.test', name: { first: 'Alice' } },
      metadataPublic: { roles: ['editor'] },
      roles: ['editor'],
    });
    expect(kratos.requestsTo('GET /sessions/whoami')).toHaveLength(1);
  });
});
