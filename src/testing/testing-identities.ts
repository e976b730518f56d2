import { randomUUID } from 'node:crypto';
import { BadRequestException, ConflictException, HttpException } from '@nestjs/common';
import type { IamSessionPage, SessionPaging, TenantSessions } from '../ory/kratos/iam-session.js';
import { invalidIdentityRequest } from '../ory/kratos/identity-errors.js';
import { createBodyOf, kratosPatchOf, updateBodyOf } from '../ory/kratos/identity-mapping.js';
import {
  identityPageSizeOf,
  identityPageTokenOf,
  kratosPageTokenOf,
} from '../ory/kratos/identity-paging.js';
import type {
  IamDeactivateOptions,
  IamIdentityCreate,
  IamIdentityPage,
  IamIdentityPatchOperation,
  IamIdentityRecord,
  IamIdentityUpdate,
  IamImportItemResult,
  IamImportResult,
  IdentityPaging,
  TenantIdentities,
} from '../ory/kratos/identity-types.js';
import { kratosIdOf } from '../ory/kratos/kratos-ids.js';
import { applyJsonPatch } from './json-patch.js';
import { rolesOf, type TestingDirectory } from './testing-directory.js';

/** The traits Kratos would take as login identifiers here (Kratos reads them from the schema). */
const IDENTIFIER_TRAITS = ['email', 'username', 'phone'];

export function identifiersOf(traits: Readonly<Record<string, unknown>>): string[] {
  return IDENTIFIER_TRAITS.map((name) => traits[name]).filter(
    (value): value is string => typeof value === 'string' && value !== '',
  );
}

function invalidIdentity(message: string): HttpException {
  return new BadRequestException({ statusCode: 400, code: 'identity.invalid', message });
}

/** Kratos' snake_case document of an identity: what a patch's paths address. */
interface PatchableIdentity {
  traits: Record<string, unknown>;
  metadata_public?: Record<string, unknown>;
  metadata_admin?: Record<string, unknown>;
  state: string;
  schema_id: string;
}

/**
 * `IdentityService.forTenant(t)` of `IamTestingModule`: identities in memory, with the real
 * checks (UUID ids, 404 `identity.not_found`, 409 `identity.conflict` for a repeated `email`,
 * `username` or `phone` trait). A password given at creation logs in through `FlowService`.
 */
export class TestingTenantIdentities implements TenantIdentities {
  constructor(
    private readonly directory: TestingDirectory,
    private readonly tenantSessions: TenantSessions,
  ) {}

  async list(paging: IdentityPaging = {}): Promise<IamIdentityPage> {
    const pageSize = identityPageSizeOf(paging.pageSize);
    const after = kratosPageTokenOf(paging.pageToken);
    const matching = [...this.directory.identities.values()]
      .filter((record) => after === undefined || record.id > after)
      .filter(
        (record) =>
          paging.credentialsIdentifier === undefined ||
          identifiersOf(record.traits).includes(paging.credentialsIdentifier),
      )
      .sort((a, b) => (a.id < b.id ? -1 : 1));
    const identities = matching.slice(0, pageSize);
    const last = identities.at(-1);
    return {
      identities,
      nextPageToken:
        matching.length > pageSize && last !== undefined ? identityPageTokenOf(last.id) : undefined,
    };
  }

  async get(id: string): Promise<IamIdentityRecord> {
    return this.directory.identity(kratosIdOf('identity', id));
  }

  async create(identity: IamIdentityCreate): Promise<IamIdentityRecord> {
    // The real service's checks of the input (e.g. exactly one kind of password).
    createBodyOf(identity);
    const now = new Date();
    const record = this.recordOf(randomUUID(), identity, now, now);
    this.save(record, identity.credentials?.password?.password);
    return record;
  }

  async update(id: string, identity: IamIdentityUpdate): Promise<IamIdentityRecord> {
    updateBodyOf(identity);
    const current = await this.get(id);
    const record = this.recordOf(
      current.id,
      { ...identity, schemaId: identity.schemaId ?? current.schemaId },
      current.createdAt ?? new Date(),
      identity.state === current.state ? current.stateChangedAt : new Date(),
    );
    this.save(record, identity.credentials?.password?.password);
    return record;
  }

  async patch(
    id: string,
    operations: readonly IamIdentityPatchOperation[],
  ): Promise<IamIdentityRecord> {
    const current = await this.get(id);
    const patched = applyJsonPatch<PatchableIdentity>(
      {
        traits: { ...current.traits },
        ...(current.metadataPublic === undefined
          ? {}
          : { metadata_public: { ...current.metadataPublic } }),
        ...(current.metadataAdmin === undefined
          ? {}
          : { metadata_admin: { ...current.metadataAdmin } }),
        state: current.state,
        schema_id: current.schemaId,
      },
      kratosPatchOf(operations),
    );
    if (patched.state !== 'active' && patched.state !== 'inactive') {
      throw invalidIdentityRequest('state must be active or inactive.');
    }
    return this.update(id, {
      schemaId: patched.schema_id,
      traits: patched.traits,
      state: patched.state,
      metadataPublic: patched.metadata_public,
      metadataAdmin: patched.metadata_admin,
    });
  }

  async delete(id: string): Promise<void> {
    const record = await this.get(id);
    this.directory.identities.delete(record.id);
    this.directory.passwords.delete(record.id);
    for (const [sessionId, entry] of this.directory.sessions) {
      if (entry.session.identity?.id === record.id) this.directory.sessions.delete(sessionId);
    }
  }

  async import(identities: readonly IamIdentityCreate[]): Promise<IamImportResult> {
    const items: IamImportItemResult[] = [];
    for (const [index, identity] of identities.entries()) {
      try {
        const { id } = await this.create(identity);
        items.push({ index, status: 'created', id });
      } catch (error) {
        const conflict = error instanceof ConflictException;
        items.push({
          index,
          status: 'failed',
          code: conflict ? 'identity.conflict' : 'identity.invalid',
          reason: error instanceof Error ? error.message : String(error),
        });
      }
    }
    const created = items.filter((item) => item.status === 'created').length;
    return { created, failed: items.length - created, items };
  }

  async activate(id: string): Promise<IamIdentityRecord> {
    return this.setState(id, 'active');
  }

  async deactivate(id: string, options: IamDeactivateOptions = {}): Promise<IamIdentityRecord> {
    const record = await this.setState(id, 'inactive');
    if (options.revokeSessions === true) await this.tenantSessions.revokeAllForIdentity(id);
    return record;
  }

  async sessions(id: string, paging?: SessionPaging): Promise<IamSessionPage> {
    return this.tenantSessions.list(id, paging);
  }

  private async setState(id: string, state: 'active' | 'inactive'): Promise<IamIdentityRecord> {
    const current = await this.get(id);
    return this.update(id, { ...current, state });
  }

  private recordOf(
    id: string,
    identity: IamIdentityCreate,
    createdAt: Date,
    stateChangedAt: Date | undefined,
  ): IamIdentityRecord {
    if (typeof identity.traits !== 'object' || identity.traits === null) {
      throw invalidIdentity('traits must be an object.');
    }
    const email = typeof identity.traits.email === 'string' ? identity.traits.email : undefined;
    return Object.freeze({
      id,
      tenant: this.directory.tenant,
      schemaId: identity.schemaId ?? 'default',
      state: identity.state ?? 'active',
      roles: rolesOf(identity.metadataPublic),
      traits: structuredClone(identity.traits),
      metadataPublic: structuredClone(identity.metadataPublic),
      metadataAdmin: structuredClone(identity.metadataAdmin),
      createdAt,
      updatedAt: new Date(),
      stateChangedAt,
      verifiableAddresses:
        email === undefined
          ? []
          : [
              {
                value: email,
                via: 'email',
                verified: false,
                status: 'pending',
                verifiedAt: undefined,
              },
            ],
      recoveryAddresses: email === undefined ? [] : [{ value: email, via: 'email' }],
    });
  }

  private save(record: IamIdentityRecord, password: string | undefined): void {
    const taken = new Set(identifiersOf(record.traits));
    for (const other of this.directory.identities.values()) {
      if (other.id !== record.id && identifiersOf(other.traits).some((value) => taken.has(value))) {
        throw new ConflictException({
          statusCode: 409,
          code: 'identity.conflict',
          message: 'An identity with the same identifier already exists.',
        });
      }
    }
    this.directory.identities.set(record.id, record);
    if (password !== undefined) this.directory.passwords.set(record.id, password);
  }
}
