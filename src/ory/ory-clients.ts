import { Inject, Injectable, Optional } from '@nestjs/common';
import {
  Configuration,
  FrontendApi,
  IdentityApi,
  PermissionApi,
  RelationshipApi,
} from '@ory/client';
import { IAM_VALIDATED_OPTIONS } from '../config/injection-tokens.js';
import type { ValidatedIamOptions } from '../config/module-options.js';
import type { ValidatedServiceTokensConfig } from '../config/service-tokens-config.js';
import type { ValidatedTenantConfig } from '../config/tenant-config.js';
import { IamConfigurationError } from '../errors/iam-errors.js';
import type { UpstreamGuard } from '../resilience/upstream-guard.js';
import { UpstreamGuards } from '../resilience/upstream-guards.js';
import { IamTelemetry } from '../telemetry/iam-telemetry.js';
import { HydraTokenEndpoint } from './hydra/hydra-token-endpoint.js';
import type { OryCallPolicy } from './ory-call.js';

/** A tenant's Kratos clients; `admin` exists only when `kratos.adminUrl` is configured. */
export interface KratosClients {
  readonly frontend: FrontendApi;
  readonly admin: IdentityApi | undefined;
  readonly policy: OryCallPolicy;
  /** The breaker and bulkhead of each API, shared by every caller of this tenant's Kratos. */
  readonly guards: { readonly frontend: UpstreamGuard; readonly admin: UpstreamGuard | undefined };
}

/** A tenant's Keto clients; `write` exists only when `keto.writeUrl` is configured. */
export interface KetoClients {
  readonly read: PermissionApi;
  /** Listing tuples is a read: Keto serves it on the read API. */
  readonly readRelationships: RelationshipApi;
  readonly write: RelationshipApi | undefined;
  readonly policy: OryCallPolicy;
  /** The breaker and bulkhead of each API, shared by every caller of this tenant's Keto. */
  readonly guards: { readonly read: UpstreamGuard; readonly write: UpstreamGuard | undefined };
}

function configuration(basePath: string, token: string | undefined): Configuration {
  return new Configuration({ basePath, accessToken: token });
}

/**
 * The only place `@ory/client` clients are built: once per tenant, on first use, never per
 * request. Everything else in the library talks to Ory through these.
 */
@Injectable()
export class OryClients {
  private readonly kratosClients = new Map<string, KratosClients>();
  private readonly ketoClients = new Map<string, KetoClients>();

  constructor(
    @Inject(IAM_VALIDATED_OPTIONS) private readonly options: ValidatedIamOptions,
    @Inject(UpstreamGuards) private readonly guards: UpstreamGuards = new UpstreamGuards(options),
    @Optional() @Inject(IamTelemetry) private readonly telemetry?: IamTelemetry,
  ) {}

  kratos(tenant: string): KratosClients {
    let clients = this.kratosClients.get(tenant);
    if (clients === undefined) {
      const config = this.tenant(tenant);
      const kratos = config.kratos;
      if (kratos === undefined) {
        throw new IamConfigurationError([`tenants.${tenant}.kratos: is required for this call`]);
      }
      clients = {
        frontend: new FrontendApi(configuration(kratos.publicUrl, undefined)),
        admin:
          kratos.adminUrl === undefined
            ? undefined
            : new IdentityApi(configuration(kratos.adminUrl, kratos.adminToken)),
        policy: this.policy(tenant, config),
        guards: {
          frontend: this.guards.guard(tenant, 'kratos-public'),
          admin:
            kratos.adminUrl === undefined ? undefined : this.guards.guard(tenant, 'kratos-admin'),
        },
      };
      this.kratosClients.set(tenant, clients);
    }
    return clients;
  }

  keto(tenant: string): KetoClients {
    let clients = this.ketoClients.get(tenant);
    if (clients === undefined) {
      const config = this.tenant(tenant);
      const keto = config.keto;
      if (keto === undefined) {
        throw new IamConfigurationError([`tenants.${tenant}.keto: is required for this call`]);
      }
      clients = {
        read: new PermissionApi(configuration(keto.readUrl, keto.adminToken)),
        readRelationships: new RelationshipApi(configuration(keto.readUrl, keto.adminToken)),
        write:
          keto.writeUrl === undefined
            ? undefined
            : new RelationshipApi(configuration(keto.writeUrl, keto.adminToken)),
        policy: this.policy(tenant, config),
        guards: {
          read: this.guards.guard(tenant, 'keto-read'),
          write: keto.writeUrl === undefined ? undefined : this.guards.guard(tenant, 'keto-write'),
        },
      };
      this.ketoClients.set(tenant, clients);
    }
    return clients;
  }

  /**
   * A new client of the tenant's Hydra token endpoint (its validated `serviceTokens`), sharing the
   * tenant's `hydra-token` breaker and bulkhead; its owner keeps it.
   */
  hydraToken(tenant: string, serviceTokens: ValidatedServiceTokensConfig): HydraTokenEndpoint {
    return new HydraTokenEndpoint(
      serviceTokens,
      this.policy(tenant, this.tenant(tenant)),
      this.guards.guard(tenant, 'hydra-token'),
    );
  }

  private policy(tenant: string, config: ValidatedTenantConfig): OryCallPolicy {
    const telemetry = this.telemetry?.upstream(tenant);
    return telemetry === undefined ? config.http : { ...config.http, telemetry };
  }

  /** The validated config of a tenant; an unknown name is a programming error, reported as such. */
  tenant(tenant: string): ValidatedTenantConfig {
    if (!Object.hasOwn(this.options.tenants, tenant)) {
      throw new IamConfigurationError([`tenant "${tenant}" is not configured`]);
    }
    return this.options.tenants[tenant] as ValidatedTenantConfig;
  }
}
