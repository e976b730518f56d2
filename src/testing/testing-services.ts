import type { Provider } from '@nestjs/common';
import { IamConfigurationError } from '../errors/iam-errors.js';
import { IamHealthIndicator } from '../health/iam-health.indicator.js';
import { FlowService } from '../services/flow.service.js';
import { IdentityService } from '../services/identity.service.js';
import { PermissionService } from '../services/permission.service.js';
import { ServiceTokens } from '../services/service-tokens.service.js';
import { SessionService } from '../services/session.service.js';
import type { IamTestingState } from './iam-testing-state.js';
import type { TestingDirectory } from './testing-directory.js';
import { TestingTenantFlows } from './testing-flows.js';
import { TestingHealthIndicator } from './testing-health.js';
import { TestingTenantIdentities } from './testing-identities.js';
import { TestingTenantPermissions } from './testing-permissions.js';
import { TestingTenantSessions } from './testing-sessions.js';

/** `forTenant` as the real services have it: the one testing tenant, else the real error. */
function forTenant<T>(tenant: string, value: T): { forTenant(name: string): T } {
  return {
    forTenant(name: string): T {
      if (name !== tenant) throw new IamConfigurationError([`tenant "${name}" is not configured`]);
      return value;
    },
  };
}

/** The stand-ins, registered under the real services' classes so that apps inject them as is. */
export const SERVICE_TOKENS = [
  FlowService,
  SessionService,
  IdentityService,
  PermissionService,
  ServiceTokens,
  IamHealthIndicator,
];

/**
 * Providers of the stand-ins for the services an app injects, all over one in-memory Kratos (the
 * directory) and the test's state. Each is typed as the part of the real service apps call.
 */
export function testingServiceProviders(
  tenant: string,
  state: IamTestingState,
  directory: TestingDirectory,
): Provider[] {
  const sessions = new TestingTenantSessions(directory, () => state.authenticate());
  const identities = new TestingTenantIdentities(directory, sessions);
  const flowService: Pick<FlowService, 'forTenant'> = forTenant(
    tenant,
    new TestingTenantFlows(directory, identities),
  );
  const sessionService: Pick<SessionService, 'forTenant'> = forTenant(tenant, sessions);
  const identityService: Pick<IdentityService, 'forTenant'> = forTenant(tenant, identities);
  const permissionService: Pick<PermissionService, 'forTenant'> = forTenant(
    tenant,
    new TestingTenantPermissions(tenant, state),
  );
  const health: Pick<IamHealthIndicator, 'isHealthy'> = new TestingHealthIndicator(tenant, state);
  return [
    { provide: FlowService, useValue: flowService },
    { provide: SessionService, useValue: sessionService },
    { provide: IdentityService, useValue: identityService },
    { provide: PermissionService, useValue: permissionService },
    { provide: ServiceTokens, useValue: state.serviceTokens },
    { provide: IamHealthIndicator, useValue: health },
  ];
}
