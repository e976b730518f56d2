import type { IamErrorCode } from '../errors/error-codes.js';
import { IamUpstreamUnavailableError, iamErrorFor } from '../errors/iam-errors.js';
import type { IamDependency } from '../health/iam-health.indicator.js';
import type { IamDependencyHealth } from '../health/probe.js';
import type { IamIdentity } from '../identity/iam-identity.js';
import type { PermissionChecker } from '../permissions/permission-checker.js';
import { describeTuple, type PermissionTuple } from '../permissions/permission-tuple.js';
import type { ServiceTokenRequest } from '../service-tokens/service-token.js';
import type { Transport } from '../transport/transport.js';
import { type TestingServiceTokenFailure, TestingServiceTokens } from './testing-service-tokens.js';

/** How a test answers permission checks: one answer for all, or per tuple. */
export type IamTestingPermissions = boolean | ((tuple: PermissionTuple) => boolean);

/** The identity a test wants the guards to see; `tenant` and `roles` default from the module. */
export type IamTestingIdentity = Partial<Omit<IamIdentity, 'id'>> & { id: string };

/** What the testing `IamHealthIndicator` reports per dependency; unset ones are up. */
export type IamTestingHealth = Partial<Record<IamDependency, IamDependencyHealth>>;

/**
 * What the guards and the stand-in services see in a test, changeable between requests: the
 * current identity (or none), its roles, the answers to permission checks, an error the transport
 * should fail with (e.g. `auth.upstream_unavailable`), the health the indicator reports.
 * Get it with `app.get(IamTestingState)`; `reset()` also forgets the identities, sessions, flows
 * and grants the stand-in services hold.
 */
export class IamTestingState implements Transport, PermissionChecker {
  private identity: IamIdentity | undefined;
  private failure: IamErrorCode | undefined;
  private permissions: IamTestingPermissions = false;
  private dependencyHealth: IamTestingHealth = {};
  /** Every permission check the guards and `PermissionService` asked for, in order. */
  readonly checkedPermissions: PermissionTuple[] = [];
  /**
   * Tuples written through `PermissionService.grant` and not revoked: checks of these are allowed
   * whatever `setPermissions` answers.
   */
  readonly grantedPermissions: PermissionTuple[] = [];

  constructor(
    private readonly tenant: string,
    private readonly initial: IamTestingIdentity | null,
    private readonly initialPermissions: IamTestingPermissions,
    /** What the stand-in services hold (identities, sessions, flows), forgotten on reset. */
    private readonly services: { clear(): void },
    /** The `ServiceTokens` stand-in, whose tokens and record are forgotten on reset. */
    readonly serviceTokens: TestingServiceTokens = new TestingServiceTokens(() => undefined),
  ) {
    this.reset();
  }

  /** Authenticates every following request as this identity; `null` sends no credentials. */
  setIdentity(identity: IamTestingIdentity | null): this {
    this.identity =
      identity === null
        ? undefined
        : Object.freeze({
            tenant: this.tenant,
            kind: 'user' as const,
            roles: [],
            via: 'testing' as const,
            ...identity,
          });
    this.failure = undefined;
    return this;
  }

  /** Replaces the roles of the current identity. */
  setRoles(roles: readonly string[]): this {
    if (this.identity === undefined) {
      throw new Error('IamTestingState.setRoles needs an identity; call setIdentity first.');
    }
    this.identity = Object.freeze({ ...this.identity, roles: Object.freeze([...roles]) });
    return this;
  }

  /** Makes authentication fail with this code (401, 403 or 503) until the next setIdentity or reset. */
  failWith(code: IamErrorCode): this {
    this.failure = code;
    return this;
  }

  /** Answers `@RequirePermission` checks: true/false for all, or a function per tuple. */
  setPermissions(answer: IamTestingPermissions): this {
    this.permissions = answer;
    return this;
  }

  /** What `IamHealthIndicator.isHealthy` reports, e.g. `{ keto: { status: 'down' } }`. */
  setHealth(health: IamTestingHealth): this {
    this.dependencyHealth = { ...health };
    return this;
  }

  /**
   * Makes every request of `ServiceTokens` for a token not in its cache fail with this 503 code,
   * as Hydra down (`service_token.unavailable`) or refusing (`service_token.rejected`) would,
   * until reset; `null` lets them succeed again.
   */
  failServiceTokensWith(code: TestingServiceTokenFailure | null): this {
    this.serviceTokens.failure = code ?? undefined;
    return this;
  }

  /** The tokens `ServiceTokens` asked its issuer for, in order; cached tokens are not asked again. */
  get requestedServiceTokens(): readonly ServiceTokenRequest[] {
    return this.serviceTokens.requested;
  }

  /** What `setHealth` set: the dependencies it does not name are up. */
  get health(): IamTestingHealth {
    return this.dependencyHealth;
  }

  /**
   * Back to the identity and permission answers the module was created with, all dependencies up,
   * and no identities, sessions, flows or grants in the stand-in services.
   */
  reset(): this {
    this.setIdentity(this.initial);
    this.permissions = this.initialPermissions;
    this.dependencyHealth = {};
    this.checkedPermissions.length = 0;
    this.grantedPermissions.length = 0;
    this.services.clear();
    this.serviceTokens.clear();
    return this;
  }

  async checkMany(
    _tenant: string,
    tuples: readonly PermissionTuple[],
  ): Promise<readonly boolean[]> {
    this.checkedPermissions.push(...tuples);
    const answer = this.permissions;
    const granted = new Set(this.grantedPermissions.map(describeTuple));
    return tuples.map(
      (tuple) =>
        granted.has(describeTuple(tuple)) ||
        (typeof answer === 'function' ? answer(tuple) : answer),
    );
  }

  async authenticate(): Promise<IamIdentity | undefined> {
    if (this.failure === 'auth.upstream_unavailable') throw new IamUpstreamUnavailableError();
    if (this.failure !== undefined) throw iamErrorFor(this.failure);
    return this.identity;
  }
}
