import { randomUUID } from 'node:crypto';
import type { Type } from '@nestjs/common';
import type {
  HttpClientConfig,
  IamAuditEvent,
  KetoConfig,
  PermissionTuple,
} from '../../../src/index.js';
import { type JsonResponse, type Platform, request } from '../../support/nest-app.js';
import type { OryStack } from '../../support/ory/stack.js';
import { type SignedApp, startSignedApp } from '../../support/signed-app.js';

export const AUDIENCE = 'inventory-api';

/** A fresh user id per test, so tests sharing one Keto never see each other's tuples. */
export const newId = (prefix: string) => `${prefix}-${randomUUID()}`;

export function ketoUrls(ory: OryStack): { readUrl: string; writeUrl: string } {
  const { ketoRead, ketoWrite } = ory.urls;
  if (ketoRead === undefined || ketoWrite === undefined) throw new Error('Keto is not running');
  return { readUrl: ketoRead, writeUrl: ketoWrite };
}

function tupleBody(tuple: PermissionTuple): Record<string, unknown> {
  const { namespace, object, relation, subject } = tuple;
  return typeof subject === 'string'
    ? { namespace, object, relation, subject_id: subject }
    : { namespace, object, relation, subject_set: subject };
}

/**
 * Writes and deletes tuples with plain HTTP on Keto's write API, as an operator would: the tests
 * check the library against Keto's state, not against the library's own writes.
 */
export class KetoAdmin {
  constructor(private readonly writeUrl: string) {}

  async write(...tuples: PermissionTuple[]): Promise<void> {
    const response = await fetch(`${this.writeUrl}/admin/relation-tuples`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(
        tuples.map((tuple) => ({ action: 'insert', relation_tuple: tupleBody(tuple) })),
      ),
    });
    if (response.status !== 204) throw new Error(`Keto write: ${response.status}`);
  }

  async delete(...tuples: PermissionTuple[]): Promise<void> {
    const response = await fetch(`${this.writeUrl}/admin/relation-tuples`, {
      method: 'PATCH',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify(
        tuples.map((tuple) => ({ action: 'delete', relation_tuple: tupleBody(tuple) })),
      ),
    });
    if (response.status !== 204) throw new Error(`Keto delete: ${response.status}`);
  }
}

export interface KetoApp extends SignedApp {
  /** A request as `sub` (a JWT minted for it), with extra headers. */
  as(
    sub: string,
    path: string,
    options?: {
      headers?: Record<string, string>;
      claims?: Record<string, unknown>;
      signal?: AbortSignal;
    },
  ): Promise<JsonResponse>;
}

/**
 * A Nest app on the real platform whose identities come from Oathkeeper-style JWTs (the test
 * signer's JWKS on loopback) and whose permissions come from the real Keto.
 */
export async function startKetoApp(
  platform: Platform,
  keto: KetoConfig,
  controllers: Type[],
  http: HttpClientConfig = {},
): Promise<KetoApp> {
  const app = await startSignedApp(platform, {
    audience: AUDIENCE,
    keto,
    http,
    metadata: { controllers },
  });
  return {
    ...app,
    as: (sub, path, options = {}) =>
      request(`${app.url}${path}`, {
        headers: { ...options.headers, Authorization: `Bearer ${app.token(sub, options.claims)}` },
        signal: options.signal,
      }),
  };
}

/** The `authz.permission.*` events of the app so far, as `name subject check`. */
export function permissionEvents(events: readonly IamAuditEvent[]): string[] {
  return events
    .filter((event) => event.name.startsWith('authz.permission.'))
    .map((event) => `${event.name} ${event.subject ?? '-'} ${String(event.detail?.check ?? '')}`);
}
