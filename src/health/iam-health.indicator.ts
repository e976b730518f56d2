import { Inject, Injectable, Optional } from '@nestjs/common';
import { IAM_VALIDATED_OPTIONS } from '../config/injection-tokens.js';
import type { ValidatedIamOptions } from '../config/module-options.js';
import type { ValidatedTenantConfig } from '../config/tenant-config.js';
import { IamConfigurationError } from '../errors/iam-errors.js';
import type { JwksStoreStatus } from '../jwt/jwks-key-store.js';
import type { Upstream } from '../resilience/upstream.js';
import type { UpstreamGuardStatus } from '../resilience/upstream-guard.js';
import { UpstreamGuards } from '../resilience/upstream-guards.js';
import { TenantRegistry } from '../runtime/tenant-registry.js';
import { jwksHealth } from './jwks-health.js';
import { type IamDependencyHealth, type ProbeExpectation, probe } from './probe.js';

/** The dependencies probed per tenant (only those the tenant configures). */
export type IamDependency = 'kratos' | 'keto' | 'jwks';

/**
 * One tenant's entry: each probed dependency, and in a running module `upstreams`, the circuit
 * breaker and bulkhead of each upstream called so far. An open breaker is shown, not counted as
 * down: every pod meets the same upstream, and taking pods out of service would not bring it back.
 */
export type IamTenantHealth = Partial<Record<IamDependency, IamDependencyHealth>> & {
  upstreams?: Partial<Record<Upstream, UpstreamGuardStatus>>;
};

/** The result shape `@nestjs/terminus` expects from a health indicator. */
export type IamHealthResult = Record<
  string,
  {
    status: 'up' | 'down';
    tenants: Record<string, IamTenantHealth>;
  }
>;

/** Options of {@link IamHealthIndicator.isHealthy}. */
export interface IamHealthOptions {
  /** Per probe; there are no retries. Default 2000. */
  readonly timeoutMs?: number;
  /** Only these tenants. Default: all. */
  readonly tenants?: readonly string[];
}

/**
 * Thrown when a dependency is down. Shaped like terminus's `HealthCheckError` (`causes`,
 * `isHealthCheckError`), which terminus recognises without the library depending on it.
 */
export class IamHealthCheckError extends Error {
  readonly isHealthCheckError = true;

  constructor(
    message: string,
    readonly causes: IamHealthResult,
  ) {
    super(message);
    this.name = 'IamHealthCheckError';
  }
}

const DEFAULT_TIMEOUT_MS = 2_000;

interface Target {
  readonly tenant: string;
  readonly dependency: IamDependency;
  readonly url: string;
  readonly expectation: ProbeExpectation;
  /** Largest body read; only a JWKS probe reads one. */
  readonly maxBodyBytes?: number;
}

function targetsOf(tenant: ValidatedTenantConfig): Target[] {
  const targets: Target[] = [];
  // Ory Network does not document /health/* on project domains: any answer proves reachability.
  const oryExpectation: ProbeExpectation = tenant.mode === 'cloud' ? 'answers' : 'ready';
  if (tenant.kratos !== undefined) {
    const url = `${tenant.kratos.publicUrl}/health/ready`;
    targets.push({ tenant: tenant.name, dependency: 'kratos', url, expectation: oryExpectation });
  }
  if (tenant.keto !== undefined) {
    const url = `${tenant.keto.readUrl}/health/ready`;
    targets.push({ tenant: tenant.name, dependency: 'keto', url, expectation: oryExpectation });
  }
  const jwks = tenant.oathkeeper?.jwks;
  if (jwks !== undefined) {
    targets.push({
      tenant: tenant.name,
      dependency: 'jwks',
      url: jwks.url,
      expectation: 'jwks',
      maxBodyBytes: jwks.maxBytes,
    });
  }
  return targets;
}

/**
 * Reachability of every tenant's Kratos (public API), Keto (read API) and Oathkeeper JWKS, for
 * `@nestjs/terminus`: `() => this.iamHealth.isHealthy('iam')`. Probes run in parallel, each
 * with a short timeout and no retry; a URL shared by several tenants is probed once. In a running
 * module the JWKS entry also shows the tenant's key store, and is down while it cannot verify.
 */
@Injectable()
export class IamHealthIndicator {
  constructor(
    @Inject(IAM_VALIDATED_OPTIONS) private readonly options: ValidatedIamOptions,
    @Optional() @Inject(TenantRegistry) private readonly registry?: TenantRegistry,
    @Optional() @Inject(UpstreamGuards) private readonly guards?: UpstreamGuards,
  ) {}

  /** Resolves `{ [key]: { status: 'up', tenants } }`; throws {@link IamHealthCheckError} when any is down. */
  async isHealthy(key = 'iam', options: IamHealthOptions = {}): Promise<IamHealthResult> {
    const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;
    const unknown = options.tenants?.filter((name) => !Object.hasOwn(this.options.tenants, name));
    if (unknown !== undefined && unknown.length > 0) {
      throw new IamConfigurationError(
        unknown.map((name) => `IamHealthIndicator: tenant "${name}" is not configured`),
      );
    }
    const selected = Object.values(this.options.tenants).filter(
      (tenant) => options.tenants === undefined || options.tenants.includes(tenant.name),
    );
    const probes = new Map<string, Promise<IamDependencyHealth>>();
    const targets = selected.flatMap(targetsOf);
    const results = await Promise.all(
      targets.map(async (target) => {
        const id = `${target.expectation} ${target.maxBodyBytes ?? ''} ${target.url}`;
        let running = probes.get(id);
        if (running === undefined) {
          running = probe(target.url, target.expectation, timeoutMs, target.maxBodyBytes);
          probes.set(id, running);
        }
        const probed = await running;
        return target.dependency === 'jwks'
          ? jwksHealth(probed, this.keyStoreStatus(target.tenant))
          : probed;
      }),
    );

    const tenants: IamHealthResult[string]['tenants'] = {};
    for (const tenant of selected) {
      const upstreams = this.guards?.status(tenant.name) ?? {};
      tenants[tenant.name] = Object.keys(upstreams).length > 0 ? { upstreams } : {};
    }
    targets.forEach((target, index) => {
      const entry = tenants[target.tenant];
      const result = results[index];
      if (entry !== undefined && result !== undefined) entry[target.dependency] = result;
    });
    const down = results.some((result) => result.status === 'down');
    const outcome: IamHealthResult = { [key]: { status: down ? 'down' : 'up', tenants } };
    if (down) throw new IamHealthCheckError('An identity dependency is down.', outcome);
    return outcome;
  }

  /** Undefined outside a running module (the indicator built by hand) or once it has shut down. */
  private keyStoreStatus(tenant: string): JwksStoreStatus | undefined {
    try {
      return this.registry?.runtime(tenant).transport.jwksStatus?.();
    } catch {
      return undefined;
    }
  }
}
