import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { IamHttpError, IamUpstreamUnavailableError } from '../../../src/errors/iam-errors.js';
import { KratosSessionResolver } from '../../../src/ory/kratos/session-resolver.js';
import { OryClients } from '../../../src/ory/ory-clients.js';
import { FakeKratos, kratosSession } from './fake-kratos.js';

const WHOAMI = 'GET /sessions/whoami';
const TOKEN = 'ory_st_abcdefghijklmnopqrstuvwxyz012345';

/** Kratos answering 200 with a body that is not a session: a lying Kratos. */
const lyingKratos = new FakeKratos();
beforeAll(() => lyingKratos.start());
afterAll(() => lyingKratos.stop());
beforeEach(() => lyingKratos.reset());

function resolver(): KratosSessionResolver {
  const options = validateIamOptions({
    tenants: {
      default: {
        transport: 'bearer',
        kratos: { publicUrl: lyingKratos.url },
        http: { timeoutMs: 300, retries: 0 },
      },
    },
  });
  const tenant = options.tenants.default;
  if (tenant === undefined) throw new Error('no tenant');
  return new KratosSessionResolver(tenant, new OryClients(options).kratos('default'), undefined);
}

async function answerTo(body: unknown): Promise<IamHttpError | 'allowed'> {
  lyingKratos.answer(WHOAMI, { status: 200, body });
  try {
    await resolver().resolve({ kind: 'token', value: TOKEN });
    return 'allowed';
  } catch (error) {
    if (error instanceof IamHttpError) return error;
    throw error;
  }
}

describe('whoami answers that are not a session are outages', () => {
  it.each([
    ['active is missing', kratosSession({ active: undefined })],
    ['active is the string "true"', kratosSession({ active: 'true' })],
    ['expires_at is missing', kratosSession({ expires_at: undefined })],
    ['expires_at is not a date', kratosSession({ expires_at: 'tomorrow' })],
    ['expires_at is a number', kratosSession({ expires_at: 4_102_444_800 })],
    ['the session id is missing', kratosSession({ id: undefined })],
    ['the identity id is missing', kratosSession({ identity: { id: undefined } })],
    ['the identity id is a number', kratosSession({ identity: { id: 42 } })],
    ['the identity state is missing', kratosSession({ identity: { state: undefined } })],
    ['metadata_public is a string', kratosSession({ identity: { metadata_public: 'admin' } })],
    ['the identity is a string', { ...kratosSession(), identity: 'alice' }],
    ['the body is empty', {}],
  ])('503, never a 401 or an allow, when %s', async (_case, body) => {
    const answer = await answerTo(body);
    expect(answer).toBeInstanceOf(IamUpstreamUnavailableError);
    expect((answer as IamUpstreamUnavailableError).reason).toMatch(
      /^malformed answer from Kratos: Kratos returned a session without a valid /,
    );
  });

  it('still answers a well-formed inactive session with 401', async () => {
    const answer = await answerTo(kratosSession({ active: false }));
    expect(answer).toMatchObject({ code: 'auth.failure.session_inactive' });
  });

  it('takes a well-formed session', async () => {
    expect(await answerTo(kratosSession({ identity: { metadata_public: null } }))).toBe('allowed');
  });

  it('names the status and URL of an unexpected answer in the reason', async () => {
    lyingKratos.answer(WHOAMI, { status: 404, body: {} });
    const error = await resolver()
      .resolve({ kind: 'token', value: TOKEN })
      .catch((rejection: unknown) => rejection);
    expect((error as IamUpstreamUnavailableError).reason).toBe(
      `Kratos /sessions/whoami: HTTP 404 from ${lyingKratos.url}/sessions/whoami`,
    );
  });
});
