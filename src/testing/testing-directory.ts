import { randomBytes, randomUUID } from 'node:crypto';
import { NotFoundException } from '@nestjs/common';
import { DEFAULT_ROLES_CLAIM_PATHS } from '../config/defaults.js';
import { IamUnauthorizedError } from '../errors/iam-errors.js';
import type { IamFlow } from '../ory/kratos/flow-types.js';
import type { IamSession, IamSessionIdentity } from '../ory/kratos/iam-session.js';
import { identityNotFound } from '../ory/kratos/identity-errors.js';
import type { IamIdentityRecord } from '../ory/kratos/identity-types.js';
import { rolesFromMetadata } from '../ory/kratos/roles.js';

/** A session the stand-ins issued, with the token that proves it. */
export interface TestingSessionEntry {
  session: IamSession;
  readonly token: string;
}

/** Kratos' default `session.lifespan`. */
export const SESSION_LIFESPAN_MS = 24 * 60 * 60 * 1_000;

/** Roles as the real services read them: from `metadataPublic` through the default claim paths. */
export function rolesOf(metadataPublic: Readonly<Record<string, unknown>> | undefined) {
  return rolesFromMetadata(metadataPublic, DEFAULT_ROLES_CLAIM_PATHS);
}

/**
 * The Kratos of a test, in memory: the identities, passwords and sessions the identity, session
 * and flow stand-ins share, so an identity created through `IdentityService` can log in through
 * `FlowService` and its session be revoked through `SessionService`.
 */
export class TestingDirectory {
  readonly identities = new Map<string, IamIdentityRecord>();
  readonly passwords = new Map<string, string>();
  readonly sessions = new Map<string, TestingSessionEntry>();
  /** The session `whoami` opened for an identity the guards see, by identity id. */
  readonly callerSessions = new Map<string, string>();
  readonly flows = new Map<string, IamFlow>();

  constructor(readonly tenant: string) {}

  clear(): void {
    this.identities.clear();
    this.passwords.clear();
    this.sessions.clear();
    this.callerSessions.clear();
    this.flows.clear();
  }

  /** The identity, or the 404 `identity.not_found` the real services throw. */
  identity(id: string): IamIdentityRecord {
    const record = this.identities.get(id);
    if (record === undefined) throw identityNotFound();
    return record;
  }

  /** The session, or a 404 `session.not_found`. */
  session(id: string): TestingSessionEntry {
    const entry = this.sessions.get(id);
    if (entry === undefined) {
      throw new NotFoundException({
        statusCode: 404,
        code: 'session.not_found',
        message: 'Session not found.',
      });
    }
    return entry;
  }

  /** The active session a token proves, or the 401 Kratos' answer becomes. */
  activeSessionOf(token: string | undefined): TestingSessionEntry {
    if (token === undefined) throw new IamUnauthorizedError('auth.failure.missing_credentials');
    for (const entry of this.sessions.values()) {
      if (entry.token === token && entry.session.active) return entry;
    }
    throw new IamUnauthorizedError('auth.failure.session_inactive');
  }

  /** A new active session for the identity. */
  openSession(identity: IamSessionIdentity, id: string = randomUUID()): TestingSessionEntry {
    const now = new Date();
    const entry: TestingSessionEntry = {
      token: `ory_st_${randomBytes(16).toString('base64url')}`,
      session: {
        id,
        active: true,
        expiresAt: new Date(now.getTime() + SESSION_LIFESPAN_MS),
        authenticatedAt: now,
        issuedAt: now,
        aal: 'aal1',
        identity,
      },
    };
    this.sessions.set(entry.session.id, entry);
    return entry;
  }

  /** Ends a session; the entry stays, inactive, as Kratos keeps revoked sessions. */
  revoke(entry: TestingSessionEntry): void {
    entry.session = { ...entry.session, active: false };
  }
}

/** What a session shows of an identity record. */
export function sessionIdentityOf(record: IamIdentityRecord): IamSessionIdentity {
  const { id, tenant, state, roles, traits, metadataPublic } = record;
  return { id, tenant, state, roles, traits, metadataPublic };
}
