import type { ValidatedTenantConfig } from '../../config/tenant-config.js';
import { IamUpstreamUnavailableError } from '../../errors/iam-errors.js';
import { callOry, type OryRequestOptions, type OryResponse } from '../ory-call.js';
import type { KratosClients } from '../ory-clients.js';
import type { IamSessionPage, SessionPaging, TenantSessions } from './iam-session.js';
import {
  type BadRequestMeaning,
  identityCallFailure,
  invalidIdentityRequest,
} from './identity-errors.js';
import { type ImportCalls, runImport } from './identity-import.js';
import { MAX_IMPORT_CHUNK } from './identity-import-chunks.js';
import { createBodyOf, kratosPatchOf, recordFromKratos, updateBodyOf } from './identity-mapping.js';
import {
  identityPageSizeOf,
  identityPageTokenOf,
  kratosPageTokenOf,
  nextKratosPageToken,
} from './identity-paging.js';
import type {
  IamDeactivateOptions,
  IamIdentityCreate,
  IamIdentityPage,
  IamIdentityPatchOperation,
  IamIdentityRecord,
  IamIdentityUpdate,
  IamImportOptions,
  IamImportResult,
  IdentityPaging,
  TenantIdentities,
} from './identity-types.js';
import { type AdminOperation, KratosAdmin } from './kratos-admin.js';
import type { KratosId } from './kratos-ids.js';
import type { KratosSessionCache } from './session-cache.js';
import { KratosSessionShapeError } from './session-mapping.js';

type IdentityApi = NonNullable<KratosClients['admin']>;

/** Ids per existence check after an import conflict (see `existing` below). */
const EXISTENCE_CHECK_GROUP = 100;

/** Kratos hashes every plain-text password of an import chunk before it answers. */
const MIN_IMPORT_TIMEOUT_MS = 60_000;

interface CallOptions {
  readonly idempotent: boolean;
  readonly on400: BadRequestMeaning;
}

/**
 * {@link TenantIdentities} over a tenant's Kratos admin client. Every write to an identity evicts
 * its sessions from this process's session cache, so a deactivation or a change of roles takes
 * effect on the next request here.
 */
export class KratosTenantIdentities implements TenantIdentities {
  private readonly kratosAdmin: KratosAdmin;

  constructor(
    private readonly tenant: ValidatedTenantConfig,
    private readonly clients: KratosClients,
    private readonly sessionsOfTenant: TenantSessions,
    private readonly cache: KratosSessionCache | undefined,
  ) {
    this.kratosAdmin = new KratosAdmin(tenant.name, clients, 'IdentityService');
  }

  async list(paging: IdentityPaging = {}): Promise<IamIdentityPage> {
    const pageSize = identityPageSizeOf(paging.pageSize);
    const pageToken = kratosPageTokenOf(paging.pageToken);
    const identifier = paging.credentialsIdentifier;
    if (identifier !== undefined && (typeof identifier !== 'string' || identifier === '')) {
      throw invalidIdentityRequest('credentialsIdentifier must be a non-empty string.');
    }
    const response = await this.admin(
      'list',
      { idempotent: true, on400: 'invalid_request' },
      (admin, options) =>
        // Always pass page_size: it selects keyset paging, whose next token is in `Link`.
        admin.listIdentities({ pageSize, pageToken, credentialsIdentifier: identifier }, options),
    );
    const identities: unknown[] = Array.isArray(response.data) ? response.data : [];
    const next = nextKratosPageToken(response.headers);
    return {
      identities: identities.map((identity) => this.recordOf(identity)),
      // A page shorter than asked for is the last, whatever the header says.
      nextPageToken:
        next === undefined || identities.length < pageSize ? undefined : identityPageTokenOf(next),
    };
  }

  async get(id: string): Promise<IamIdentityRecord> {
    const response = await this.adminOn(
      'get',
      id,
      { idempotent: true, on400: 'invalid_request' },
      (admin, checked, options) => admin.getIdentity({ id: checked }, options),
    );
    return this.recordOf(response.data);
  }

  async create(identity: IamIdentityCreate): Promise<IamIdentityRecord> {
    const createIdentityBody = createBodyOf(identity);
    const response = await this.admin(
      'create',
      { idempotent: false, on400: 'invalid' },
      (admin, options) => admin.createIdentity({ createIdentityBody }, options),
    );
    return this.recordOf(response.data);
  }

  async update(id: string, identity: IamIdentityUpdate): Promise<IamIdentityRecord> {
    const updateIdentityBody = updateBodyOf(identity);
    return this.written(id, 'update', (admin, checked, options) =>
      admin.updateIdentity({ id: checked, updateIdentityBody }, options),
    );
  }

  async patch(
    id: string,
    operations: readonly IamIdentityPatchOperation[],
  ): Promise<IamIdentityRecord> {
    const jsonPatch = kratosPatchOf(operations);
    return this.written(id, 'patch', (admin, checked, options) =>
      admin.patchIdentity({ id: checked, jsonPatch }, options),
    );
  }

  async delete(id: string): Promise<void> {
    try {
      // Not retried: a retry after a lost answer would report the deleted identity as unknown.
      await this.adminOn(
        'delete',
        id,
        { idempotent: false, on400: 'invalid_request' },
        (admin, checked, options) => admin.deleteIdentity({ id: checked }, options),
      );
    } finally {
      await this.cache?.evictIdentity(id);
    }
  }

  async import(
    identities: readonly IamIdentityCreate[],
    options: IamImportOptions = {},
  ): Promise<IamImportResult> {
    const chunkSize = options.chunkSize ?? MAX_IMPORT_CHUNK;
    if (!Number.isSafeInteger(chunkSize) || chunkSize < 1 || chunkSize > MAX_IMPORT_CHUNK) {
      throw invalidIdentityRequest(`chunkSize must be an integer from 1 to ${MAX_IMPORT_CHUNK}.`);
    }
    const timeoutMs =
      options.timeoutMs ?? Math.max(this.clients.policy.timeoutMs, MIN_IMPORT_TIMEOUT_MS);
    if (!Number.isSafeInteger(timeoutMs) || timeoutMs < 1) {
      throw invalidIdentityRequest('timeoutMs must be a positive integer.');
    }
    if (!Array.isArray(identities)) throw invalidIdentityRequest('import needs an array.');
    const admin = this.kratosAdmin.client('import');
    const policy = { ...this.clients.policy, timeoutMs, retries: 0, deadlineMs: timeoutMs };
    // Raw calls: runImport reads 4xx answers itself, item by item.
    const calls: ImportCalls = {
      batch: async (items) =>
        (
          await callOry(
            'Kratos admin import',
            policy,
            (request) =>
              admin.batchPatchIdentities(
                {
                  patchIdentitiesBody: {
                    identities: items.map((item) => ({
                      create: item.body,
                      patch_id: item.patchId,
                    })),
                  },
                },
                request,
              ),
            { idempotent: false, guard: this.clients.guards.admin },
          )
        ).data,
      createOne: async (createIdentityBody) =>
        (
          await callOry(
            'Kratos admin import',
            policy,
            (request) => admin.createIdentity({ createIdentityBody }, request),
            { idempotent: false, guard: this.clients.guards.admin },
          )
        ).data,
      existing: async (ids) => {
        const found = new Set<string>();
        // Kratos echoes the query (every id) in its `Link` header: 500 ids would overflow
        // Node's 16 KiB limit on response headers.
        for (let start = 0; start < ids.length; start += EXISTENCE_CHECK_GROUP) {
          const group = ids.slice(start, start + EXISTENCE_CHECK_GROUP);
          const response = await callOry(
            'Kratos admin import',
            this.clients.policy,
            (request) => admin.listIdentities({ ids: group, pageSize: group.length }, request),
            { idempotent: true, guard: this.clients.guards.admin },
          );
          const page: unknown[] = Array.isArray(response.data) ? response.data : [];
          for (const identity of page) found.add(this.recordOf(identity).id);
        }
        return found;
      },
    };
    return runImport(identities, chunkSize, calls);
  }

  activate(id: string): Promise<IamIdentityRecord> {
    return this.patch(id, [{ op: 'replace', path: '/state', value: 'active' }]);
  }

  async deactivate(id: string, options: IamDeactivateOptions = {}): Promise<IamIdentityRecord> {
    const record = await this.patch(id, [{ op: 'replace', path: '/state', value: 'inactive' }]);
    if (options.revokeSessions === true) await this.sessionsOfTenant.revokeAllForIdentity(id);
    return record;
  }

  sessions(id: string, paging?: SessionPaging): Promise<IamSessionPage> {
    return this.sessionsOfTenant.list(id, paging);
  }

  /** A write to an existing identity; evicts its cached sessions whatever the outcome. */
  private async written(
    id: string,
    operation: string,
    call: (
      admin: IdentityApi,
      id: KratosId,
      options: OryRequestOptions,
    ) => Promise<OryResponse<unknown>>,
  ): Promise<IamIdentityRecord> {
    try {
      const response = await this.adminOn(
        operation,
        id,
        { idempotent: false, on400: 'invalid' },
        call,
      );
      return this.recordOf(response.data);
    } finally {
      await this.cache?.evictIdentity(id);
    }
  }

  private admin<T>(
    operation: string,
    options: CallOptions,
    call: (admin: IdentityApi, options: OryRequestOptions) => Promise<OryResponse<T>>,
  ): Promise<OryResponse<T>> {
    return this.kratosAdmin.call(this.operation(operation, options), call);
  }

  /** An admin call about the identity `id`, which is checked to be a UUID before anything else. */
  private adminOn<T>(
    operation: string,
    id: string,
    options: CallOptions,
    call: (admin: IdentityApi, id: KratosId, options: OryRequestOptions) => Promise<OryResponse<T>>,
  ): Promise<OryResponse<T>> {
    return this.kratosAdmin.callOn('identity', id, this.operation(operation, options), call);
  }

  private operation(operation: string, { idempotent, on400 }: CallOptions): AdminOperation {
    return {
      operation,
      idempotent,
      failure: (error, method) => identityCallFailure(method, error, on400),
    };
  }

  private recordOf(body: unknown): IamIdentityRecord {
    try {
      return recordFromKratos(this.tenant, body);
    } catch (error) {
      // Kratos answered 2xx with something that is not an identity: a broken upstream.
      if (error instanceof KratosSessionShapeError) {
        throw new IamUpstreamUnavailableError('Kratos returned an unexpected identity.');
      }
      throw error;
    }
  }
}
