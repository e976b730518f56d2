import { IamConfigurationError } from '../errors/iam-errors.js';
import {
  type IamDependency,
  IamHealthCheckError,
  type IamHealthIndicator,
  type IamHealthOptions,
  type IamHealthResult,
} from '../health/iam-health.indicator.js';
import type { IamDependencyHealth } from '../health/probe.js';
import type { IamTestingState } from './iam-testing-state.js';

const DEPENDENCIES: readonly IamDependency[] = ['kratos', 'keto', 'jwks'];

/**
 * `IamHealthIndicator` of `IamTestingModule`: every dependency of the testing tenant is up unless
 * `IamTestingState.setHealth` says otherwise; a down one throws `IamHealthCheckError` with the
 * real indicator's shape, and an unknown tenant is the real `IamConfigurationError`.
 */
export class TestingHealthIndicator implements Pick<IamHealthIndicator, 'isHealthy'> {
  constructor(
    private readonly tenant: string,
    private readonly state: IamTestingState,
  ) {}

  async isHealthy(key = 'iam', options: IamHealthOptions = {}): Promise<IamHealthResult> {
    const unknown = options.tenants?.filter((name) => name !== this.tenant) ?? [];
    if (unknown.length > 0) {
      throw new IamConfigurationError(
        unknown.map((name) => `IamHealthIndicator: tenant "${name}" is not configured`),
      );
    }
    const dependencies: Partial<Record<IamDependency, IamDependencyHealth>> = {};
    for (const dependency of DEPENDENCIES) {
      dependencies[dependency] = this.state.health[dependency] ?? { status: 'up' };
    }
    const down = Object.values(dependencies).some((health) => health.status === 'down');
    const outcome: IamHealthResult = {
      [key]: { status: down ? 'down' : 'up', tenants: { [this.tenant]: dependencies } },
    };
    if (down) throw new IamHealthCheckError('An identity dependency is down.', outcome);
    return outcome;
  }
}
