import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import type { Provider } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import type { HttpClientConfig, IamModuleOptions, KetoConfig } from '../../../src/index.js';
import { type Platform, request } from '../../support/nest-app.js';
import { type SignedApp, startSignedApp } from '../../support/signed-app.js';
import { ApiResolver, BoxResolver } from './resolvers.js';

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

export interface GraphqlApp extends SignedApp {
  /** POSTs one operation (or a batch) with an optional bearer token; answers the JSON body. */
  post(
    body: unknown,
    token?: string,
  ): Promise<{ status: number; body: GraphqlResult | GraphqlResult[] }>;
}

export async function startGraphqlApp(
  server: (typeof GRAPHQL_SERVERS)[number],
  options: {
    replay: boolean;
    keto?: KetoConfig;
    http?: HttpClientConfig;
    decisions?: Pick<IamModuleOptions, 'roles' | 'errors'>;
    providers?: Provider[];
  },
): Promise<GraphqlApp> {
  const app = await startSignedApp(server.platform, {
    audience: AUDIENCE,
    replay: options.replay,
    ...(options.keto === undefined ? {} : { keto: options.keto }),
    ...(options.http === undefined ? {} : { http: options.http }),
    ...(options.decisions === undefined ? {} : { decisions: options.decisions }),
    metadata: {
      imports: [graphqlModule(server.driver)],
      providers: [ApiResolver, BoxResolver, ...(options.providers ?? [])],
    },
  });
  return {
    ...app,
    async post(body, token) {
      const response = await request(`${app.url}/graphql`, {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          ...(token === undefined ? {} : { Authorization: `Bearer ${token}` }),
        },
        body: JSON.stringify(body),
      });
      return { status: response.status, body: response.body as GraphqlResult | GraphqlResult[] };
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
