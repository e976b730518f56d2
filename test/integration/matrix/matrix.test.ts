/**
 * Issue 14, item 8: every path to "allowed", at the edges. Every transport x every context x every
 * kind of route, each with no credential, a valid one, a valid one holding neither the role nor the
 * permission, and a valid one of another tenant of the same app, against the real Kratos and Keto
 * (JWTs from the library's TestSigner). One app per transport and context; one test per cell.
 *
 * The expected outcome of every cell is the table below, and nothing else: the same for every
 * transport and context. docs/security.md ("The matrix") carries the same table; a test keeps them
 * equal.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type TestJwksServer, TestSigner } from '../../../src/testing/index.js';
import { repoRoot } from '../../support/ory/binaries.js';
import { useOryStack } from '../../support/ory/vitest.js';
import { KetoAdmin, ketoUrls } from '../keto/support.js';
import { kratosUrls } from '../kratos/support.js';
import {
  CONTEXTS,
  type MatrixApp,
  type MatrixContext,
  type Outcome,
  startMatrixApp,
} from './contexts.js';
import { markdownTable } from './markdown-table.js';
import {
  CREDENTIALS,
  type CredentialKind,
  createPrincipals,
  type Principals,
} from './principals.js';
import { handlerRuns, ROUTE_KINDS, type RouteKind } from './routes.js';
import {
  type CredentialForm,
  type MatrixTransport,
  type MatrixUpstreams,
  TRANSPORTS,
} from './transports.js';

/**
 * The expected outcome of every cell: `200` (the handler ran) or `<status> <code>` (it did not).
 * Requests are for tenant acme. `valid` holds the role and the Keto permission on acme; `no grants`
 * is of acme but holds neither; `other tenant` holds both, on globex.
 */
const EXPECTED: Readonly<Record<RouteKind, Readonly<Record<CredentialKind, string>>>> = {
  public: {
    none: '200',
    valid: '200',
    'no grants': '200',
    'other tenant': '200',
  },
  anonymous: {
    none: '200',
    valid: '200',
    'no grants': '200',
    'other tenant': '401 auth.tenant_mismatch',
  },
  authenticated: {
    none: '401 auth.failure.missing_credentials',
    valid: '200',
    'no grants': '200',
    'other tenant': '401 auth.tenant_mismatch',
  },
  role: {
    none: '401 auth.failure.missing_credentials',
    valid: '200',
    'no grants': '403 authz.role.deny',
    'other tenant': '401 auth.tenant_mismatch',
  },
  permission: {
    none: '401 auth.failure.missing_credentials',
    valid: '200',
    'no grants': '403 authz.permission.deny',
    'other tenant': '401 auth.tenant_mismatch',
  },
  'role + permission': {
    none: '401 auth.failure.missing_credentials',
    valid: '200',
    'no grants': '403 authz.role.deny',
    'other tenant': '401 auth.tenant_mismatch',
  },
};

interface Cell {
  readonly route: RouteKind;
  readonly credential: CredentialKind;
  /** How the credential is carried; none for `none`. */
  readonly form?: string;
  readonly expected: string;
}

/** Every cell of one app: each route with no credential, then with each credential in each form. */
function cellsOf(transport: MatrixTransport): Cell[] {
  return ROUTE_KINDS.flatMap((route) =>
    CREDENTIALS.flatMap((credential): Cell[] =>
      credential === 'none'
        ? [{ route, credential, expected: EXPECTED[route][credential] }]
        : Object.keys(transport.forms).map((form) => ({
            route,
            credential,
            form,
            expected: EXPECTED[route][credential],
          })),
    ),
  );
}

/** `role route, other tenant (X-Session-Token) → 401 auth.tenant_mismatch` */
const label = ({ route, credential, form, expected }: Cell): string =>
  `${route} route, ${credential}${form === undefined ? '' : ` (${form})`} → ${expected}`;

/** `200`, or `<status> <code>`; a 200 with a code is an answer that is neither allowed nor refused. */
const show = ({ status, code }: Outcome): string =>
  code === undefined && status === 200 ? '200' : `${status} ${code ?? '(no code)'}`;

const ory = useOryStack({});
let jwks: TestJwksServer | undefined;
let upstreams: MatrixUpstreams;
let principals: Principals;

beforeAll(async () => {
  const signer = TestSigner.create();
  jwks = await signer.serve();
  const kratos = kratosUrls(ory());
  const keto = ketoUrls(ory());
  principals = await createPrincipals(kratos, new KetoAdmin(keto.writeUrl));
  upstreams = { kratosPublicUrl: kratos.publicUrl, keto, jwksUrl: jwks.url, signer };
});
afterAll(async () => {
  await jwks?.close();
});

/** The handler's record with identity ids replaced by the credential they belong to. */
function runsByCredential(): string[] {
  return handlerRuns.map((entry) =>
    Object.entries(principals).reduce(
      (text, [kind, principal]) => text.replace(principal.id, kind),
      entry,
    ),
  );
}

/** Sends the cell's request and checks its outcome, and what the handler ran, against the table. */
async function check(
  app: MatrixApp,
  transport: MatrixTransport,
  context: MatrixContext,
  cell: Cell,
): Promise<void> {
  const { route, credential, form, expected } = cell;
  const carry = form === undefined ? undefined : (transport.forms[form] as CredentialForm);
  const headers =
    credential === 'none' || carry === undefined ? {} : carry(principals[credential], upstreams);
  handlerRuns.length = 0;
  const outcome = await app.send(route, headers);
  // A public route authenticates nobody, whatever the request carries.
  const caller = route === 'public' || credential === 'none' ? 'nobody' : credential;
  expect(
    { outcome: show(outcome), handlerRan: runsByCredential() },
    `${transport.name} / ${context.name} / ${label(cell)}`,
  ).toEqual({
    outcome: expected,
    handlerRan: expected === '200' ? [`${route} by ${caller}`] : [],
  });
}

const named = <T extends { name: string }>(items: readonly T[]) =>
  items.map((item) => [item.name, item] as const);

describe.each(named(TRANSPORTS))('transport %s', (_transport, transport) => {
  describe.each(named(CONTEXTS))('%s', (_context, context) => {
    let app: MatrixApp | undefined;

    beforeAll(async () => {
      app = await startMatrixApp(context, transport.tenant(upstreams));
    });
    afterAll(async () => {
      await app?.close();
    });

    it.each(cellsOf(transport).map((cell) => [label(cell), cell] as const))(
      '%s',
      async (_label, cell) => {
        if (app === undefined) throw new Error('the app did not start');
        await check(app, transport, context, cell);
      },
    );
  });
});

it('docs/security.md "The matrix" states this same table', () => {
  const docs = readFileSync(join(repoRoot, 'docs/security.md'), 'utf8');
  expect(markdownTable(docs, '## The matrix')).toEqual([
    ['route', ...CREDENTIALS],
    ...ROUTE_KINDS.map((route) => [
      route,
      ...CREDENTIALS.map((credential) => EXPECTED[route][credential]),
    ]),
  ]);
});
