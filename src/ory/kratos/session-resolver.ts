import type { ValidatedTenantConfig } from '../../config/tenant-config.js';
import type { Deadline } from '../../deadline/deadline.js';
import { deadlineFailure, isDeadlineAbort } from '../../deadline/deadline-failure.js';
import { SharedFlight } from '../../deadline/shared-flight.js';
import type { SessionCredential } from '../../transport/kratos-credentials.js';
import { callOry, OryResponseError } from '../ory-call.js';
import type { KratosClients } from '../ory-clients.js';
import type { IamSession, IamSessionIdentity } from './iam-session.js';
import type { KratosSessionCache } from './session-cache.js';
import {
  assertWhoamiShape,
  malformedSessionRejection,
  usableSessionIdentity,
  whoamiRejection,
} from './session-checks.js';
import { KratosSessionShapeError, sessionFromKratos } from './session-mapping.js';

/** A session that may authenticate a request, with its (active) identity. */
export interface UsableSession {
  readonly session: IamSession;
  readonly identity: IamSessionIdentity;
}

/**
 * Turns a session credential into a usable session: from the cache when it holds one, else from
 * Kratos `/sessions/whoami` (through `callOry`: within the request's deadline, retries, 503 with
 * Retry-After). Only the
 * one credential is sent: the session cookie is rebuilt as `<name>=<value>` from its parsed value.
 * Throws 401 `auth.failure.session_inactive`, 403 `authz.aal.insufficient` or 503 (Kratos down, or
 * an answer that is not the documented session shape: never a 401 and never an allow).
 */
export class KratosSessionResolver {
  /** The tenant's session cookie, the only cookie ever forwarded to Kratos. */
  readonly cookieName: string;
  /** Cache misses being answered by Kratos, by cache key. */
  private readonly pending = new Map<string, SharedFlight<UsableSession>>();

  constructor(
    private readonly tenant: ValidatedTenantConfig,
    private readonly clients: KratosClients,
    readonly cache: KratosSessionCache | undefined,
  ) {
    if (tenant.kratos === undefined) {
      throw new Error(`tenant "${tenant.name}" has no Kratos configuration`);
    }
    this.cookieName = tenant.kratos.sessionCookieName;
  }

  async resolve(credential: SessionCredential, deadline?: Deadline): Promise<UsableSession> {
    const { cache } = this;
    if (cache === undefined) return this.checkWithKratos(credential, deadline);
    const cached = await cache.get(credential);
    if (cached !== undefined) {
      return { session: cached, identity: usableSessionIdentity(cached) };
    }
    // When an entry expires under load, every request in flight with that credential misses at
    // once; they share one whoami and one cache write instead of each asking Kratos. Only with the
    // cache on: without it, the documented promise is one Kratos check per request. The shared
    // check has a budget of its own: one client going away must not fail the others.
    const key = cache.keyOf(credential);
    let flight = this.pending.get(key);
    if (flight === undefined) {
      const started = new SharedFlight(this.tenant.http.deadlineMs, (own) =>
        this.checkAndCache(credential, cache, own),
      );
      started.result.then(
        () => this.pending.delete(key),
        () => this.pending.delete(key),
      );
      this.pending.set(key, started);
      flight = started;
    }
    if (deadline === undefined) return flight.result;
    try {
      return await flight.join(deadline);
    } catch (error) {
      if (isDeadlineAbort(error)) throw deadlineFailure('Kratos /sessions/whoami', error);
      throw error;
    }
  }

  private async checkWithKratos(
    credential: SessionCredential,
    deadline: Deadline | undefined,
  ): Promise<UsableSession> {
    const session = await this.whoami(credential, deadline);
    return { session, identity: usableSessionIdentity(session) };
  }

  /** Asks Kratos, and caches the session only once it proved usable. */
  private async checkAndCache(
    credential: SessionCredential,
    cache: KratosSessionCache,
    deadline: Deadline,
  ): Promise<UsableSession> {
    // Read before Kratos answers: a revoke that evicts meanwhile moves it, and this answer (the
    // session as it was before the revoke) is then not written back.
    const generation = await cache.generation();
    const usable = await this.checkWithKratos(credential, deadline);
    await cache.put(credential, usable.session, generation);
    return usable;
  }

  private async whoami(
    credential: SessionCredential,
    deadline: Deadline | undefined,
  ): Promise<IamSession> {
    const { frontend, policy } = this.clients;
    const parameters =
      credential.kind === 'cookie'
        ? { cookie: `${this.cookieName}=${credential.value}` }
        : { xSessionToken: credential.value };
    try {
      const response = await callOry(
        'Kratos /sessions/whoami',
        policy,
        async (options) => {
          const answer = await frontend.toSession(parameters, options);
          // Read within the attempt, so a body that is not a session counts towards the breaker.
          assertWhoamiShape(answer.data);
          return { ...answer, data: sessionFromKratos(this.tenant, answer.data) };
        },
        { idempotent: true, deadline, guard: this.clients.guards.frontend },
      );
      return response.data;
    } catch (error) {
      if (error instanceof OryResponseError) throw whoamiRejection(error.status, error.reason);
      if (error instanceof KratosSessionShapeError) throw malformedSessionRejection(error);
      throw error;
    }
  }
}
