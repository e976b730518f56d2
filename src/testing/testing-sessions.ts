import { DEFAULT_SESSION_COOKIE_NAME } from '../config/defaults.js';
import { IamUnauthorizedError } from '../errors/iam-errors.js';
import type { IamIdentity } from '../identity/iam-identity.js';
import type {
  IamSession,
  IamSessionPage,
  SessionPaging,
  TenantSessions,
  WhoamiSource,
} from '../ory/kratos/iam-session.js';
import { identityNotFound } from '../ory/kratos/identity-errors.js';
import { kratosIdOf } from '../ory/kratos/kratos-ids.js';
import { pageNumberOf, pageSizeOf, pageTokenOf } from '../ory/kratos/session-paging.js';
import { sessionCredentialOfSource } from '../ory/kratos/session-source.js';
import {
  SESSION_LIFESPAN_MS,
  sessionIdentityOf,
  type TestingDirectory,
  type TestingSessionEntry,
} from './testing-directory.js';

/**
 * `SessionService.forTenant(t)` of `IamTestingModule`. `whoami` answers with the session a token
 * or cookie from `FlowService`'s login names, else with a session of the identity the guards see
 * (`IamTestingState`), opened on first use; revoked sessions are 401 `auth.failure.session_inactive`
 * as in Kratos. Admin calls check ids and answer 404s like the real service.
 */
export class TestingTenantSessions implements TenantSessions {
  constructor(
    private readonly directory: TestingDirectory,
    private readonly caller: () => Promise<IamIdentity | undefined>,
  ) {}

  async whoami(source: WhoamiSource): Promise<IamSession> {
    const credential = sessionCredentialOfSource(source, DEFAULT_SESSION_COOKIE_NAME);
    const issued =
      credential === undefined
        ? undefined
        : [...this.directory.sessions.values()].find((entry) => entry.token === credential.value);
    const entry = issued ?? (await this.callerSession());
    if (!entry.session.active) throw new IamUnauthorizedError('auth.failure.session_inactive');
    const identity = entry.session.identity;
    if (
      identity !== undefined &&
      this.directory.identities.get(identity.id)?.state === 'inactive'
    ) {
      throw new IamUnauthorizedError('auth.failure.session_inactive');
    }
    return entry.session;
  }

  async list(identityId: string, paging: SessionPaging = {}): Promise<IamSessionPage> {
    const page = pageNumberOf(paging.pageToken);
    const pageSize = pageSizeOf(paging.pageSize);
    const all = this.sessionsOf(identityId).filter(
      (entry) => paging.active === undefined || entry.session.active === paging.active,
    );
    const sessions = all
      .slice((page - 1) * pageSize, page * pageSize)
      .map((entry) => entry.session);
    return {
      sessions,
      nextPageToken: all.length > page * pageSize ? pageTokenOf(page + 1) : undefined,
    };
  }

  async revoke(sessionId: string): Promise<void> {
    this.directory.revoke(this.directory.session(kratosIdOf('session', sessionId)));
  }

  async revokeAllForIdentity(identityId: string): Promise<void> {
    for (const entry of this.sessionsOf(identityId)) this.directory.revoke(entry);
  }

  async extend(sessionId: string): Promise<IamSession> {
    const entry = this.directory.session(kratosIdOf('session', sessionId));
    entry.session = {
      ...entry.session,
      expiresAt: new Date(Date.now() + SESSION_LIFESPAN_MS),
    };
    return entry.session;
  }

  /** The identity's sessions, newest first; 404 for an identity unknown here. */
  private sessionsOf(identityId: string): TestingSessionEntry[] {
    const id = kratosIdOf('identity', identityId);
    const sessions = [...this.directory.sessions.values()]
      .filter((entry) => entry.session.identity?.id === id)
      .reverse();
    if (sessions.length === 0 && !this.directory.identities.has(id)) throw identityNotFound();
    return sessions;
  }

  private async callerSession(): Promise<TestingSessionEntry> {
    const identity = await this.caller();
    if (identity === undefined) {
      throw new IamUnauthorizedError('auth.failure.missing_credentials');
    }
    const record = this.directory.identities.get(identity.id);
    // The identity as the guards see it now (roles changed by setRoles included).
    const current =
      record === undefined
        ? {
            id: identity.id,
            tenant: identity.tenant,
            state: 'active' as const,
            roles: identity.roles,
            traits: identity.traits ?? {},
            metadataPublic: identity.metadataPublic,
          }
        : sessionIdentityOf(record);
    const known = identity.sessionId ?? this.directory.callerSessions.get(identity.id);
    const existing = known === undefined ? undefined : this.directory.sessions.get(known);
    if (existing !== undefined) {
      existing.session = { ...existing.session, identity: current };
      return existing;
    }
    const entry = this.directory.openSession(current, identity.sessionId);
    this.directory.callerSessions.set(identity.id, entry.session.id);
    return entry;
  }
}
