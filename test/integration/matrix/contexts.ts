/**
 * The four contexts of the matrix: HTTP on Express and on Fastify, GraphQL with Apollo on Express
 * and with Mercurius on Fastify. Each starts one real app with both tenants and answers a request
 * as an {@link Outcome}: the status and stable `code` of a refusal, wherever the server puts them.
 */
import { ApolloDriver, type ApolloDriverConfig } from '@nestjs/apollo';
import type { DynamicModule } from '@nestjs/common';
import { GraphQLModule } from '@nestjs/graphql';
import { MercuriusDriver, type MercuriusDriverConfig } from '@nestjs/mercurius';
import { IamModule, type TenantConfig } from '../../../src/index.js';
import { type Platform, type RunningApp, request, startApp } from '../../support/nest-app.js';
import { OTHER_TENANT, REQUEST_TENANT } from './principals.js';
import { MatrixController, MatrixResolver, ROUTES, type RouteKind } from './routes.js';

export interface MatrixContext {
  readonly name: string;
  readonly platform: Platform;
  readonly graphql?: 'apollo' | 'mercurius';
}

export const CONTEXTS: readonly MatrixContext[] = [
  { name: 'HTTP on Express', platform: 'express' },
  { name: 'HTTP on Fastify', platform: 'fastify' },
  { name: 'GraphQL, Apollo on Express', platform: 'express', graphql: 'apollo' },
  { name: 'GraphQL, Mercurius on Fastify', platform: 'fastify', graphql: 'mercurius' },
];

/** What a request came to: `status` and `code` of a refusal, or 200 and what the handler said. */
export interface Outcome {
  readonly status: number;
  readonly code?: string;
  /** The handler's answer (`<kind> by <caller>`) when it ran. */
  readonly ran?: string;
}

export interface MatrixApp extends RunningApp {
  /** One request to the route of `kind`, for the tenant `acme`, with these headers. */
  send(kind: RouteKind, headers: Record<string, string>): Promise<Outcome>;
}

function graphqlModule(driver: 'apollo' | 'mercurius'): DynamicModule {
  return driver === 'apollo'
    ? GraphQLModule.forRoot<ApolloDriverConfig>({
        driver: ApolloDriver,
        autoSchemaFile: true,
        playground: false,
      })
    : GraphQLModule.forRoot<MercuriusDriverConfig>({
        driver: MercuriusDriver,
        autoSchemaFile: true,
        graphiql: false,
      });
}

interface GraphqlBody {
  readonly data?: Record<string, unknown> | null;
  readonly errors?: readonly {
    readonly path?: readonly (string | number)[];
    readonly extensions?: Record<string, unknown>;
  }[];
}

/**
 * A GraphQL answer for one field as an outcome. Mercurius puts the library's status and code in
 * `extensions`; Nest's Apollo driver puts its own names there and the library's body in
 * `extensions.originalError` (see docs/graphql.md "Errors").
 */
function graphqlOutcome(field: string, httpStatus: number, body: GraphqlBody): Outcome {
  const errors = body?.errors ?? [];
  const error = errors.find((candidate) => candidate.path?.[0] === field) ?? errors[0];
  if (error === undefined) {
    const value = body?.data?.[field];
    return typeof value === 'string'
      ? { status: 200, ran: value }
      : { status: httpStatus, code: `no data and no error: ${JSON.stringify(body)}` };
  }
  const extensions = error.extensions ?? {};
  const original = extensions.originalError as { statusCode?: unknown; code?: unknown } | undefined;
  const source = original ?? extensions;
  return { status: Number(source.statusCode), code: String(source.code) };
}

/** Starts the context's app with tenants `acme` and `globex`, both configured as `tenant`. */
export async function startMatrixApp(
  context: MatrixContext,
  tenant: TenantConfig,
): Promise<MatrixApp> {
  const iam = IamModule.forRoot({
    tenants: { [REQUEST_TENANT]: tenant, [OTHER_TENANT]: tenant },
    tenantResolver: { header: 'X-Tenant' },
  });
  const graphql = context.graphql;
  const running = await startApp(
    graphql === undefined
      ? { imports: [iam], controllers: [MatrixController] }
      : { imports: [graphqlModule(graphql), iam], providers: [MatrixResolver] },
    context.platform,
  );
  const send = async (kind: RouteKind, headers: Record<string, string>): Promise<Outcome> => {
    const all = { ...headers, 'X-Tenant': REQUEST_TENANT };
    if (graphql === undefined) {
      const response = await request(`${running.url}${ROUTES[kind].path}`, { headers: all });
      const body = (response.body ?? {}) as { code?: string; ran?: string };
      return response.status === 200
        ? { status: 200, ran: body.ran }
        : { status: response.status, code: body.code };
    }
    const { field } = ROUTES[kind];
    const response = await request(`${running.url}/graphql`, {
      method: 'POST',
      headers: { ...all, 'Content-Type': 'application/json' },
      body: JSON.stringify({ query: `{ ${field} }` }),
    });
    return graphqlOutcome(field, response.status, response.body as GraphqlBody);
  };
  return { ...running, send };
}
