import type { INestApplication, ModuleMetadata } from '@nestjs/common';
import {
  AUDIT_SINK,
  type HttpClientConfig,
  type IamAuditEvent,
  type IamAuditEventName,
  IamModule,
  type IamModuleOptions,
  type IamTelemetryOptions,
  type KetoConfig,
  type ReplayCache,
} from '../../src/index.js';
import { TestSigner } from '../../src/testing/index.js';
import { type Platform, type RunningApp, startApp } from './nest-app.js';
import { RecordingSink } from './recording-sink.js';

export const ISSUER = 'https://oathkeeper.test/';
/** The `issuer_url` of the app's service rules: a token with it is a machine caller's. */
export const SERVICE_ISSUER = 'https://oathkeeper.test/services';

export interface SignedAppOptions {
  readonly audience: string;
  /** Replay protection; absent leaves the option out (the library's default). */
  readonly replay?: boolean;
  /** The module's replay cache; absent, the library's in-memory one. */
  readonly replayCache?: ReplayCache;
  readonly keto?: KetoConfig;
  readonly http?: HttpClientConfig;
  /** The module's `telemetry` option; absent leaves it out (the library's default). */
  readonly telemetry?: IamTelemetryOptions;
  /** Module options about how decisions combine and answer (`roles`, `errors`). */
  readonly decisions?: Pick<IamModuleOptions, 'roles' | 'errors'>;
  /** The app's own imports, controllers and providers next to IamModule. */
  readonly metadata: ModuleMetadata;
  /** Sees the app before it listens. */
  readonly prepare?: (app: INestApplication) => void;
}

export interface SignedApp extends RunningApp {
  /** Every audit event of the app, in order. */
  readonly events: IamAuditEvent[];
  /** The next audit event named `name` emitted from now on. */
  nextEvent(name: IamAuditEventName): Promise<IamAuditEvent>;
  /** A token for `sub` as Oathkeeper mints it for this app's audience and tenant `default`. */
  token(sub: string, claims?: Record<string, unknown>): string;
  /** A token as a service rule mints it for the OAuth2 client `clientId` with `scope`. */
  serviceToken(
    clientId: string,
    scope: readonly string[],
    claims?: Record<string, unknown>,
  ): string;
}

/**
 * A Nest app on the real platform whose identities come from Oathkeeper-style JWTs: the test
 * signer's JWKS on loopback, one tenant `default` (users' tokens with ISSUER, machine callers'
 * with SERVICE_ISSUER), every audit event recorded.
 */
export async function startSignedApp(
  platform: Platform,
  {
    audience,
    replay,
    replayCache,
    keto,
    http,
    decisions,
    telemetry,
    metadata,
    prepare,
  }: SignedAppOptions,
): Promise<SignedApp> {
  const signer = TestSigner.create();
  const jwks = await signer.serve();
  const audit = new RecordingSink();
  let running: RunningApp;
  try {
    running = await startApp(
      {
        ...metadata,
        imports: [
          ...(metadata.imports ?? []),
          IamModule.forRoot({
            tenants: {
              default: {
                transport: 'oathkeeper',
                oathkeeper: {
                  verifier: 'jwt',
                  jwks: { url: jwks.url },
                  issuer: ISSUER,
                  serviceIssuer: SERVICE_ISSUER,
                  audience,
                  identityHeader: 'Authorization',
                  ...(replay === undefined ? {} : { replayProtection: { enabled: replay } }),
                },
                ...(keto === undefined ? {} : { keto }),
                ...(http === undefined ? {} : { http }),
              },
            },
            ...(replayCache === undefined ? {} : { replayCache }),
            ...decisions,
            ...(telemetry === undefined ? {} : { telemetry }),
          }),
        ],
        providers: [...(metadata.providers ?? []), { provide: AUDIT_SINK, useValue: audit }],
      },
      platform,
      undefined,
      prepare,
    );
  } catch (error) {
    await jwks.close();
    throw error;
  }
  return {
    ...running,
    events: audit.events,
    nextEvent: (name) => audit.next(name),
    token: (sub, claims = {}) =>
      signer.mint({ sub, iss: ISSUER, aud: [audience], tenant: 'default', ...claims }),
    serviceToken: (clientId, scope, claims = {}) =>
      signer.mint({
        sub: clientId,
        iss: SERVICE_ISSUER,
        aud: [audience],
        tenant: 'default',
        client_id: clientId,
        scope: scope.join(' '),
        ...claims,
      }),
    async close() {
      await running.close();
      await jwks.close();
    },
  };
}
