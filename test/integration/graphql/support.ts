import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { AUDIT_SINK, type IamAuditEvent, IamModule, type KetoConfig } from '../../../src/index.js';
import { type TestJwksServer, TestSigner } from '../../../src/testing/index.js';
import { type Platform, type RunningApp, request, startApp } from '../../support/nest-app.js';
import { ApiResolver, BoxResolver } from './resolvers.js';

export const ISSUER = 'https://oathkeeper.test/';
export const AUDIENCE = 'orders-api';

/** Apollo on Express, Mercurius on Fastify: the two GraphQL servers Nest ships drivers for. */
export const GRAPHQL_SERVERS = [
  { platform: 'express', driver: 'apollo' },
  { platform: 'fastify', driver: 'mercurius' },
] as const satisfies readonly { platform: Platform; driver: string }[];

function graphqlModule(driver: 'apollo' | 'mercurius') {
  // Guards on @ResolveField run only with fieldResolverEnhancers: see docs/graphql.md.
  return driver === 'apollo'
    ? GraphQLModule.forRoot<ApolloDriverConfig>({
        driver: ApolloDriver,
        autoSchemaFile: true,
        playground: false,
        allowBatchedHttpRequests: true,
        fieldResolverEnhancers: ['guards'],
        subscriptions: { 'graphql-ws': true },
      })
    : GraphQLModule.forRoot<MercuriusDriverConfig>({
        driver: MercuriusDriver,
        autoSchemaFile: true,
        graphiql: false,
        allowBatchedQueries: true,
        fieldResolverEnhancers: ['guards'],
        subscription: true,
      });
}

export interface GraphqlError {
  readonly path?: readonly (string | number)[];
  readonly message: string;
  readonly extensions?: Record<string, unknown>;
}

export interface GraphqlResult {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: readonly GraphqlError[];
}

export interface GraphqlApp extends RunningApp {
  readonly events: IamAuditEvent[];
  readonly signer: TestSigner;
  /** A token for `sub` as Oathkeeper mints it for this service. */
  token(sub: string, claims?: Record<string, unknown>): string;
  /** POSTs one operation (or a batch) with an optional bearer token; answers the JSON body. */
  post(
    body: unknown,
    token?: string,
  ): Promise<{ status: number; body: GraphqlResult | GraphqlResult[] }>;
}

export async function startGraphqlApp(
  server: (typeof GRAPHQL_SERVERS)[number],
  options: { replay: boolean; keto?: KetoConfig },
): Promise<GraphqlApp> {
  const signer = TestSigner.create();
  const jwks: TestJwksServer = await signer.serve();
  const events: IamAuditEvent[] = [];
  let running: RunningApp;
  try {
    running = await startApp(
      {
        imports: [
          graphqlModule(server.driver),
          IamModule.forRoot({
            tenants: {
              default: {
                transport: 'oathkeeper',
                oathkeeper: {
                  verifier: 'jwt',
                  jwks: { url: jwks.url },
                  issuer: ISSUER,
                  audience: AUDIENCE,
                  identityHeader: 'Authorization',
                  replayProtection: { enabled: options.replay },
                },
                ...(options.keto === undefined ? {} : { keto: options.keto }),
              },
            },
          }),
        ],
        providers: [
          ApiResolver,
          BoxResolver,
          { provide: AUDIT_SINK, useValue: { emit: (event: IamAuditEvent) => events.push(event) } },
        ],
      },
      server.platform,
    );
  } catch (error) {
    await jwks.close();
    throw error;
  }
  return {
    ...running,
    events,
    signer,
    token: (sub, claims = {}) =>
      signer.mint({ sub, iss: ISSUER, aud: [AUDIENCE], tenant: 'default', ...claims }),
    async post(body, token) {
      const response = await request(`${running.url}/graphql`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: response.body as GraphqlResult | GraphqlResult[] };
    },
    async close() {
      await running.close();
      await jwks.close();
    },
  };
}

/** The stable `code` of the error on each failed field, whichever driver formatted it. */
export function codesByField(result: GraphqlResult): Record<string, string> {
  const codes: Record<string, string> = {};
  for (const error of result.errors ?? []) {
    const extensions = error.extensions ?? {};
    const original = extensions.originalError as { code?: unknown } | undefined;
    const code = original?.code ?? extensions.code;
    codes[(error.path ?? []).join('.')] = String(code);
  }
  return codes;
}
