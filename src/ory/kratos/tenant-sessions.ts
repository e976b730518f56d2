import type { ValidatedTenantConfig } from '../../config/tenant-config.js';
import { IamUnauthorizedError } from '../../errors/iam-errors.js';
import { type OryRequestOptions, type OryResponse, OryResponseError } from '../ory-call.js';
import type { KratosClients } from '../ory-clients.js';
import { type AdminResource, adminCallFailure } from './admin-errors.js';
import type {
  IamSession,
  IamSessionPage,
  SessionPaging,
  TenantSessions,
  WhoamiSource,
} from './iam-session.js';
import { KratosAdmin } from './kratos-admin.js';
import type { KratosId } from './kratos-ids.js';
import type { KratosSessionCache } from './session-cache.js';
import { malformedSessionRejection } from './session-checks.js';
import { KratosSessionShapeError, sessionFromKratos } from './session-mapping.js';
import { hasNextPage, pageNumberOf, pageSizeOf, pageTokenOf } from './session-paging.js';
import { KratosSessionResolver } from './session-resolver.js';
import { sessionCredentialOfSource } from './session-source.js';

type IdentityApi = NonNullable<KratosClients['admin']>;

/** {@link TenantSessions} over a tenant's Kratos clients and session cache. */
export class KratosTenantSessions implements TenantSessions {
  private readonly resolver: KratosSessionResolver;
  private readonly kratosAdmin: KratosAdmin;

  constructor(
    private readonly tenant: ValidatedTenantConfig,
    clients: KratosClients,
    private readonly cache: KratosSessionCache | undefined,
  ) {
    this.resolver = new KratosSessionResolver(tenant, clients, cache);
    this.kratosAdmin = new KratosAdmin(tenant.name, clients, 'SessionService');
  }

  async whoami(source: WhoamiSource): Promise<IamSession> {
    const credential = sessionCredentialOfSource(source, this.resolver.cookieName);
    if (credential === undefined) {
      throw new IamUnauthorizedError('auth.failure.missing_credentials');
    }
    return (await this.resolver.resolve(credential)).session;
  }

  async list(identityId: string, paging: SessionPaging = {}): Promise<IamSessionPage> {
    const page = pageNumberOf(paging.pageToken);
    const perPage = pageSizeOf(paging.pageSize);
    const response = await this.admin(
      'list',
      'identity',
      identityId,
      { idempotent: true },
      (admin, id, options) =>
        admin.listIdentitySessions({ id, page, perPage, active: paging.active }, options),
    );
    const sessions: unknown[] = Array.isArray(response.data) ? response.data : [];
    // Kratos lists no sessions for an identity it does not know: only an empty page needs asking.
    if (sessions.length === 0) await this.requireIdentity('list', identityId);
    return {
      sessions: sessions.map((session) => this.sessionOf(session)),
      nextPageToken: hasNextPage(response.headers, page, perPage, sessions.length)
        ? pageTokenOf(page + 1)
        : undefined,
    };
  }

  async revoke(sessionId: string): Promise<void> {
    try {
      await this.admin('revoke', 'session', sessionId, { idempotent: true }, (admin, id, options) =>
        admin.disableSession({ id }, options),
      );
    } finally {
      // Also after a failure: a revoke whose answer was lost may still have happened.
      await this.cache?.evictSession(sessionId);
    }
  }

  async revokeAllForIdentity(identityId: string): Promise<void> {
    const operation = 'revokeAllForIdentity';
    try {
      await this.kratosAdmin.callOn(
        'identity',
        identityId,
        { operation, idempotent: true, failure: (error) => error },
        (admin, id, options) => admin.deleteIdentitySessions({ id }, options),
      );
    } catch (error) {
      if (!(error instanceof OryResponseError && error.status === 404)) {
        throw adminCallFailure(`SessionService.${operation}()`, error, 'identity');
      }
      // Kratos answers 404 both for an identity without sessions (nothing left to revoke) and
      // for an unknown one, which must not pass for a success.
      await this.requireIdentity(operation, identityId);
    } finally {
      await this.cache?.evictIdentity(identityId);
    }
  }

  async extend(sessionId: string): Promise<IamSession> {
    const extended = await this.admin(
      'extend',
      'session',
      sessionId,
      { idempotent: false },
      (admin, id, options) => admin.extendSession({ id }, options),
    );
    if (typeof extended.data === 'object' && extended.data !== null) {
      return this.sessionOf(extended.data);
    }
    // Kratos with `feature_flags.faster_session_extend` answers 204 without the session.
    const fetched = await this.admin(
      'extend',
      'session',
      sessionId,
      { idempotent: true },
      (admin, id, options) => admin.getSession({ id, expand: ['identity'] }, options),
    );
    return this.sessionOf(fetched.data);
  }

  /** 404 `identity.not_found` unless Kratos knows the identity. */
  private async requireIdentity(operation: string, identityId: string): Promise<void> {
    await this.admin(
      operation,
      'identity',
      identityId,
      { idempotent: true },
      (admin, id, options) => admin.getIdentity({ id }, options),
    );
  }

  /** One admin call about one session or identity, 404 meaning that one is unknown. */
  private admin<T>(
    operation: string,
    kind: AdminResource,
    id: string,
    { idempotent }: { idempotent: boolean },
    call: (admin: IdentityApi, id: KratosId, options: OryRequestOptions) => Promise<OryResponse<T>>,
  ): Promise<OryResponse<T>> {
    return this.kratosAdmin.callOn(
      kind,
      id,
      { operation, idempotent, failure: (error, method) => adminCallFailure(method, error, kind) },
      call,
    );
  }

  private sessionOf(body: unknown): IamSession {
    try {
      return sessionFromKratos(this.tenant, body);
    } catch (error) {
      if (error instanceof KratosSessionShapeError) throw malformedSessionRejection(error);
      throw error;
    }
  }
}
