import {
  Inject,
  Injectable,
  type OnApplicationShutdown,
  type OnModuleDestroy,
  type OnModuleInit,
  Optional,
} from '@nestjs/common';
import { ModuleRef } from '@nestjs/core';
import { AuditEmitter } from '../audit/audit-emitter.js';
import { AUDIT_SINK, type AuditSink, LoggerAuditSink } from '../audit/audit-sink.js';
import { IAM_TRANSPORT_OVERRIDE, IAM_VALIDATED_OPTIONS } from '../config/injection-tokens.js';
import type { ValidatedIamOptions } from '../config/module-options.js';
import type { ValidatedTenantConfig } from '../config/tenant-config.js';
import { OryClients } from '../ory/ory-clients.js';
import { RedisStore } from '../redis/redis-store.js';
import {
  InMemoryReplayCache,
  type ReplayPartitionLimits,
} from '../replay/in-memory-replay-cache.js';
import { REPLAY_CACHE, type ReplayCache } from '../replay/replay-cache.js';
import type { IamRequest } from '../request/iam-request.js';
import { UpstreamGuards } from '../resilience/upstream-guards.js';
import { InMemorySessionStore } from '../session-cache/in-memory-session-store.js';
import {
  SESSION_CACHE_STORE,
  type SessionCacheStore,
} from '../session-cache/session-cache-store.js';
import {
  IamTelemetry,
  type JwksGaugeReading,
  type ReplayGaugeReading,
  type UpstreamGaugeReading,
} from '../telemetry/iam-telemetry.js';
import { createTransport } from '../transport/create-transport.js';
import type { Transport } from '../transport/transport.js';
import { findAppProvider } from './override-lookup.js';
import { resolveTenantName } from './tenant-resolution.js';

/** One tenant's configuration and the transport built for it at boot. */
export interface TenantRuntime {
  readonly config: ValidatedTenantConfig;
  readonly transport: Transport;
}

/**
 * Everything expensive, built once when the module initialises: per-tenant transports (with their
 * JWKS key stores and timers), the replay cache and the audit emitter. The guards only read it.
 */
@Injectable()
export class TenantRegistry implements OnModuleInit, OnModuleDestroy, OnApplicationShutdown {
  private readonly runtimes = new Map<string, TenantRuntime>();
  private ownedReplayCache: InMemoryReplayCache | undefined;
  /** The replay cache the transports use, for its gauge. */
  private replayCache: ReplayCache | undefined;
  private auditEmitter: AuditEmitter | undefined;
  private sessionStore: SessionCacheStore | undefined;
  private ownedSessionStore: InMemorySessionStore | undefined;
  private stopGauges: Array<() => void> = [];

  constructor(
    @Inject(IAM_VALIDATED_OPTIONS) readonly options: ValidatedIamOptions,
    @Inject(ModuleRef) private readonly moduleRef: ModuleRef,
    @Inject(OryClients) private readonly oryClients: OryClients,
    @Inject(UpstreamGuards) private readonly guards: UpstreamGuards,
    /** Spans and metrics of the guards' decisions. */
    @Inject(IamTelemetry) readonly telemetry: IamTelemetry,
    @Optional()
    @Inject(IAM_TRANSPORT_OVERRIDE)
    private readonly transportOverride?: Transport,
  ) {}

  /** Resolved after every module is instantiated, so app-module overrides are visible. */
  onModuleInit(): void {
    const sink =
      this.options.auditSink ??
      findAppProvider<AuditSink>(this.moduleRef, AUDIT_SINK) ??
      new LoggerAuditSink();
    const audit = new AuditEmitter(sink);
    this.auditEmitter = audit;
    this.guards.reportTo(audit);
    const override = this.transportOverride;
    const build = override === undefined ? this.transportBuilder(audit) : () => override;
    for (const [name, config] of Object.entries(this.options.tenants)) {
      const transport = build(config);
      this.runtimes.set(name, { config, transport });
      transport.start?.();
    }
    this.stopGauges = [
      this.telemetry.observeJwks(() => this.jwksReadings()),
      this.telemetry.observeUpstreams(() => this.upstreamReadings()),
      this.telemetry.observeReplay(() => this.replayReadings()),
    ];
  }

  get audit(): AuditEmitter {
    if (this.auditEmitter === undefined) {
      throw new Error('IamModule is not initialised yet.');
    }
    return this.auditEmitter;
  }

  /**
   * Store of the Kratos session cache, shared by the transports and `SessionService` (so a revoke
   * evicts what the transports cached): a `SESSION_CACHE_STORE` provider anywhere in the app,
   * else an in-memory store. Resolved on first use, which is at module init or later.
   */
  get sessionCacheStore(): SessionCacheStore {
    this.sessionStore ??=
      findAppProvider<SessionCacheStore>(this.moduleRef, SESSION_CACHE_STORE) ??
      this.createOwnedSessionStore();
    return this.sessionStore;
  }

  /** The tenant named by the request, or undefined when it names none that is configured. */
  resolveTenant(request: IamRequest): string | undefined {
    return resolveTenantName(this.options, request);
  }

  runtime(tenant: string): TenantRuntime {
    const runtime = this.runtimes.get(tenant);
    if (runtime === undefined) {
      throw new Error(`IamModule has no runtime for tenant "${tenant}".`);
    }
    return runtime;
  }

  async onModuleDestroy(): Promise<void> {
    await this.close();
  }

  async onApplicationShutdown(): Promise<void> {
    await this.close();
  }

  private transportBuilder(audit: AuditEmitter): (config: ValidatedTenantConfig) => Transport {
    this.replayCache = this.options.replayCache ?? this.findOrCreateReplayCache();
    const dependencies = {
      replayCache: this.replayCache,
      audit,
      telemetry: this.telemetry,
      oryClients: this.oryClients,
      guards: this.guards,
      sessionCacheStore: this.sessionCacheStore,
    };
    return (config) => createTransport(config, dependencies);
  }

  private findOrCreateReplayCache(): ReplayCache {
    const provided = findAppProvider<ReplayCache>(this.moduleRef, REPLAY_CACHE);
    if (provided !== undefined) return provided;
    this.ownedReplayCache = new InMemoryReplayCache({ tenants: this.replayPartitionLimits() });
    return this.ownedReplayCache;
  }

  /** Each tenant's partition of the default replay cache is sized by its own replay options. */
  private replayPartitionLimits(): Record<string, ReplayPartitionLimits> {
    const limits: Record<string, ReplayPartitionLimits> = {};
    for (const [name, config] of Object.entries(this.options.tenants)) {
      const replay = config.oathkeeper?.replayProtection;
      if (replay === undefined) continue;
      const { maxEntries, maxSubjectSharePercent } = replay;
      limits[name] = { maxEntries, maxSubjectSharePercent };
    }
    return limits;
  }

  private createOwnedSessionStore(): SessionCacheStore {
    this.ownedSessionStore = new InMemorySessionStore();
    return this.ownedSessionStore;
  }

  private *jwksReadings(): Iterable<JwksGaugeReading> {
    for (const [tenant, runtime] of this.runtimes) {
      const status = runtime.transport.jwksStatus?.();
      if (status !== undefined) yield { tenant, ...status };
    }
  }

  private *upstreamReadings(): Iterable<UpstreamGaugeReading> {
    for (const tenant of this.runtimes.keys()) {
      for (const [upstream, status] of Object.entries(this.guards.status(tenant))) {
        yield { tenant, upstream, breaker: status.breaker, inFlight: status.inFlight };
      }
    }
  }

  /** Only the in-memory cache is counted here: a Redis store's size is Redis's to report. */
  private replayReadings(): Iterable<ReplayGaugeReading> {
    const cache = this.replayCache;
    return cache instanceof InMemoryReplayCache ? cache.tenantSizes() : [];
  }

  private async close(): Promise<void> {
    for (const stop of this.stopGauges.splice(0)) stop();
    const runtimes = [...this.runtimes.values()];
    this.runtimes.clear();
    await Promise.all(runtimes.map((runtime) => runtime.transport.close?.()));
    this.ownedReplayCache?.close();
    this.ownedReplayCache = undefined;
    this.replayCache = undefined;
    // A store given as an option is no provider, so Nest never shuts it down. A Redis store
    // closes only a connection it opened itself (fromUrl); a client you passed stays yours.
    const { replayCache } = this.options;
    if (replayCache instanceof RedisStore) await replayCache.close();
    this.ownedSessionStore?.clear();
  }
}
