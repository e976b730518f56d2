import { randomUUID } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Controller, Get, Inject, Module, Post, Req } from '@nestjs/common';
import { beforeAll } from 'vitest';
import {
  AUDIT_SINK,
  CurrentUser,
  type IamAuditEvent,
  type IamAuditEventName,
  type IamIdentity,
  IamModule,
  Public,
  RequireRole,
  SessionService,
  type TenantConfig,
} from '../../../src/index.js';
import { type Platform, type RunningApp, startApp } from '../../support/nest-app.js';
import type { OryStack, OryStackOptions } from '../../support/ory/stack.js';
import { useOryStack } from '../../support/ory/vitest.js';
import { RecordingSink } from '../../support/recording-sink.js';

export const PASSWORD = 'integration-Passw0rd-for-tests';

/**
 * The harness's identity schema, plus a `roles` trait: a user can write their own traits, so the
 * tests put `roles: ['admin']` there to prove the library never reads roles from traits.
 */
const schemaWithRolesTrait = {
  $id: 'https://nestjs-ory-iam.test/identity-with-roles-trait.schema.json',
  $schema: 'http://json-schema.org/draft-07/schema#',
  type: 'object',
  properties: {
    traits: {
      type: 'object',
      properties: {
        email: {
          type: 'string',
          format: 'email',
          'ory.sh/kratos': { credentials: { password: { identifier: true } } },
        },
        roles: { type: 'array', items: { type: 'string' } },
      },
      required: ['email'],
      additionalProperties: false,
    },
  },
};

/**
 * The Ory stack for these tests: Kratos (and Keto when asked), with the schema above. The
 * harness copies its schema into the run directory at start; replacing that copy and restarting
 * Kratos (blank in-memory storage) makes Kratos load this one.
 */
export function useKratosStack(options: Pick<OryStackOptions, 'keto'> = {}): () => OryStack {
  const ory = useOryStack({ keto: options.keto ?? false });
  beforeAll(async () => {
    writeFileSync(join(ory().runDir, 'identity.schema.json'), JSON.stringify(schemaWithRolesTrait));
    await ory().restart('kratos');
  });
  return ory;
}

export function kratosUrls(ory: OryStack): { publicUrl: string; adminUrl: string } {
  const { kratosPublic, kratosAdmin } = ory.urls;
  if (kratosPublic === undefined || kratosAdmin === undefined) {
    throw new Error('Kratos is not running');
  }
  return { publicUrl: kratosPublic, adminUrl: kratosAdmin };
}

export interface TestUser {
  readonly id: string;
  readonly email: string;
}

/** Creates an identity with a password through the admin API, as an operator would. */
export async function createIdentity(
  adminUrl: string,
  options: { traits?: Record<string, unknown>; metadataPublic?: Record<string, unknown> } = {},
): Promise<TestUser> {
  const email = `${randomUUID()}@example.test`;
  const response = await fetch(`${adminUrl}/admin/identities`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({
      schema_id: 'default',
      traits: { email, ...options.traits },
      metadata_public: options.metadataPublic,
      credentials: { password: { config: { password: PASSWORD } } },
    }),
  });
  const body = (await response.json()) as { id?: string };
  if (response.status !== 201 || body.id === undefined) {
    throw new Error(`create identity: ${response.status} ${JSON.stringify(body)}`);
  }
  return { id: body.id, email };
}

/** Deactivates an identity through the admin API (its sessions stay in Kratos). */
export async function deactivate(adminUrl: string, identityId: string): Promise<void> {
  const response = await fetch(`${adminUrl}/admin/identities/${identityId}`, {
    method: 'PATCH',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify([{ op: 'replace', path: '/state', value: 'inactive' }]),
  });
  if (response.status !== 200) throw new Error(`deactivate: ${response.status}`);
}

@Controller()
class ProbeController {
  constructor(@Inject(SessionService) private readonly sessions: SessionService) {}

  @Get('me')
  me(@CurrentUser() user: IamIdentity) {
    return user;
  }

  /** An unsafe method, which a cross-site page must not make the browser send with the cookie. */
  @Post('me')
  change(@CurrentUser('id') id: string) {
    return { changed: id };
  }

  /** The platform's own request object handed to SessionService.whoami. */
  @Get('whoami')
  @Public()
  async whoami(@Req() request: { headers: Record<string, string | string[] | undefined> }) {
    const session = await this.sessions.forTenant('default').whoami(request);
    return { sessionId: session.id, identityId: session.identity?.id };
  }

  @Get('admin')
  @RequireRole('admin')
  admin() {
    return { ok: true };
  }
}

export interface IamApp extends RunningApp {
  readonly events: IamAuditEvent[];
  /** The next audit event named `name` emitted from now on. */
  nextEvent(name: IamAuditEventName): Promise<IamAuditEvent>;
}

/** A Nest app guarded by IamModule with one tenant, `default`, and `/me` + `/admin` routes. */
export async function startIamApp(
  platform: Platform,
  tenant: TenantConfig,
  extra: { providers?: NonNullable<Parameters<typeof Module>[0]>['providers'] } = {},
): Promise<IamApp> {
  const audit = new RecordingSink();
  const running = await startApp(
    {
      imports: [IamModule.forRoot({ tenants: { default: tenant } })],
      controllers: [ProbeController],
      providers: [{ provide: AUDIT_SINK, useValue: audit }, ...(extra.providers ?? [])],
    },
    platform,
  );
  return { ...running, events: audit.events, nextEvent: (name) => audit.next(name) };
}
