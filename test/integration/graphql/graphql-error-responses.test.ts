/**
 * An app that shapes its HTTP errors (`errors.map`) and registers `IamExceptionFilter` globally
 * still gets GraphQL errors with the library's `code` (Apollo on Express, Mercurius on Fastify):
 * a refusal by the guards, and a 503 thrown by a service inside a resolver.
 */
import { Inject } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Query, Resolver } from '@nestjs/graphql';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  CurrentUser,
  type IamErrorMapper,
  IamExceptionFilter,
  PermissionService,
} from '../../../src/index.js';
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

import { freePorts } from '../../support/ory/ports.js';

@Resolver()
class OrdersResolver {
  constructor(@Inject(PermissionService) private readonly permissions: PermissionService) {}

  /** Keto is asked by the resolver: an outage is a 503 thrown by the service. */
  @Query(() => Boolean, { nullable: true })
  canView(@CurrentUser('id') caller: string): Promise<boolean> {
    return this.permissions
      .forTenant('default')
      .check({ namespace: 'orders', object: 'o-1', relation: 'view', subject: caller });
  }
}

describe.each(GRAPHQL_SERVERS)(
  'GraphQL errors of an app with its own HTTP errors on $platform with $driver',
  (server) => {
    let app: GraphqlApp;
    let mapped = 0;
    const map: IamErrorMapper = (error) => {
      mapped += 1;
      return { problem: error.code };
    };

    beforeAll(async () => {
      app = await startGraphqlApp(server, {
        replay: false,
        keto: { readUrl: `http://127.0.0.1:${(await freePorts(1))[0]}` },
        // Every request meets Keto's outage itself: no breaker opening on the way.
        http: { retries: 0, breaker: { enabled: false } },
        decisions: { errors: { map } },
        providers: [OrdersResolver, { provide: APP_FILTER, useClass: IamExceptionFilter }],
      });
    });
    afterAll(() => app?.close());

    it('keeps the code of a refusal by the guards', async () => {
      const anonymous = await app.post({ query: '{ secret }' });
      expect(codesByField(one(anonymous.body))).toEqual({
        secret: 'auth.failure.missing_credentials',
      });
      const reader = app.token('alice', { metadataPublic: { roles: ['reader'] } });
      const denied = await app.post({ query: '{ adminReport }' }, reader);
      expect(codesByField(one(denied.body))).toEqual({ adminReport: 'authz.role.deny' });
    });

    it('keeps the code of a 503 thrown by a service in a resolver', async () => {
      const response = await app.post({ query: '{ canView }' }, app.token('alice'));
      expect(codesByField(one(response.body))).toEqual({
        canView: 'auth.upstream_unavailable',
      });
    });

    it('leaves GraphQL errors to GraphQL: the HTTP mapper is not asked', () => {
      expect(mapped).toBe(0);
    });
  },
);
