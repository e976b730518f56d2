/**
 * The whole example: Kratos, Keto and Oathkeeper from the local binaries, Oathkeeper routing
 * /auth, /orders and /inventory to the three apps with the generated config/access-rules.json,
 * each app a separate process.
 */
import { accessRules } from '../../../test/support/ory/oathkeeper-files.js';
import { freePorts } from '../../../test/support/ory/ports.js';
import { type OryStack, startOry } from '../../../test/support/ory/stack.js';
import { type AppGroup, type AppProcess, AppGroup as Apps, buildApps } from './apps.js';
import { exampleRulesFor } from './example-rules.js';

export interface ZeroTrustOptions {
  /** `standard`: Ory's usual ports and the apps on 3000-3002; `free`: any free loopback ports. */
  readonly ports: 'standard' | 'free';
  /** Extra Oathkeeper routes behind a Kratos session, e.g. a capture upstream for tests. */
  readonly extraSessionRoutes?: Readonly<Record<string, string>>;
  /** Shared replay cache for orders-api (the multi-pod note). */
  readonly redisUrl?: string;
  /** Extra environment for every app. */
  readonly appEnv?: Readonly<Record<string, string>>;
  /**
   * OpenTelemetry in every app (telemetry/start-telemetry.ts): a Prometheus `/metrics` port each
   * (9464-9466 with standard ports), traces to the console or `OTEL_EXPORTER_OTLP_ENDPOINT`.
   */
  readonly otel?: boolean;
}

/** Each app's Prometheus endpoint, with `otel`. */
export interface MetricsUrls {
  readonly authBff: string;
  readonly ordersApi: string;
  readonly inventoryApi: string;
}

export interface ZeroTrust {
  readonly ory: OryStack;
  readonly apps: AppGroup;
  readonly authBff: AppProcess;
  readonly ordersApi: AppProcess;
  readonly inventoryApi: AppProcess;
  /** Oathkeeper's proxy: the only door users should use. */
  readonly proxy: string;
  readonly kratosAdmin: string;
  readonly ketoWrite: string;
  /** With `otel`: where each app serves its metrics. */
  readonly metrics: MetricsUrls | undefined;
  /** Every URL and secret an app reads, for starting one more instance. */
  readonly appEnv: Readonly<Record<string, string>>;
  stop(): Promise<void>;
  /** Tails of every server's and app's log, for failure reports. */
  logTails(lines?: number): string;
}

function required(value: string | undefined, what: string): string {
  if (value === undefined) throw new Error(`the Ory stack has no ${what}`);
  return value;
}

export async function startZeroTrust(options: ZeroTrustOptions): Promise<ZeroTrust> {
  buildApps();
  // The apps' ports, then with `otel` their metrics ports: free ones from one call, all distinct.
  const otel = options.otel === true;
  const [bffPort, ordersPort, inventoryPort, ...otelPorts] =
    options.ports === 'standard'
      ? [3000, 3001, 3002, 9464, 9465, 9466]
      : await freePorts(otel ? 6 : 3);
  const upstream = (port: number | undefined) => `http://127.0.0.1:${String(port)}`;
  const extraRoutes = options.extraSessionRoutes ?? {};
  const ory = await startOry({ ports: options.ports, oathkeeper: { routes: extraRoutes } });
  const urls = ory.urls;
  const appEnv: Record<string, string> = {
    KRATOS_PUBLIC_URL: required(urls.kratosPublic, 'Kratos public URL'),
    KRATOS_ADMIN_URL: required(urls.kratosAdmin, 'Kratos admin URL'),
    KETO_READ_URL: required(urls.ketoRead, 'Keto read URL'),
    KETO_WRITE_URL: required(urls.ketoWrite, 'Keto write URL'),
    OATHKEEPER_JWKS_URL: required(urls.jwksUrl, 'JWKS URL'),
    CORS_ORIGIN: required(urls.oathkeeperProxy, 'Oathkeeper proxy'),
    ...options.appEnv,
  };
  const metricsPorts = otel ? otelPorts : undefined;
  const otelEnv = (index: number): Record<string, string> => {
    const port = metricsPorts?.[index];
    if (port === undefined) return {};
    const endpoint = process.env.OTEL_EXPORTER_OTLP_ENDPOINT;
    return {
      OTEL_METRICS_PORT: String(port),
      ...(endpoint !== undefined && { OTEL_EXPORTER_OTLP_ENDPOINT: endpoint }),
    };
  };
  const metricsUrl = (index: number) => `http://127.0.0.1:${String(metricsPorts?.[index])}/metrics`;
  const apps = new Apps(ory.runDir);
  const stop = async () => {
    await apps.stop();
    await ory.stop();
  };
  try {
    // The rules the example commits (generated from the apps), pointed at this run's ports.
    const proxy = new URL(required(urls.oathkeeperProxy, 'Oathkeeper proxy'));
    await ory.setAccessRules([
      ...exampleRulesFor(Number(proxy.port), {
        'auth-bff': upstream(bffPort),
        'orders-api': upstream(ordersPort),
        'inventory-api': upstream(inventoryPort),
      }),
      ...accessRules(extraRoutes, proxy.origin),
    ]);
    const [authBff, ordersApi, inventoryApi] = await Promise.all([
      apps.start('auth-bff', 'auth-bff', Number(bffPort), { ...appEnv, ...otelEnv(0) }),
      apps.start('orders-api', 'orders-api', Number(ordersPort), {
        ...appEnv,
        ...otelEnv(1),
        ...(options.redisUrl !== undefined && { REDIS_URL: options.redisUrl }),
      }),
      apps.start('inventory-api', 'inventory-api', Number(inventoryPort), {
        ...appEnv,
        ...otelEnv(2),
      }),
    ]);
    return {
      ory,
      apps,
      authBff,
      ordersApi,
      inventoryApi,
      proxy: appEnv.CORS_ORIGIN ?? '',
      kratosAdmin: appEnv.KRATOS_ADMIN_URL ?? '',
      ketoWrite: appEnv.KETO_WRITE_URL ?? '',
      metrics:
        metricsPorts === undefined
          ? undefined
          : { authBff: metricsUrl(0), ordersApi: metricsUrl(1), inventoryApi: metricsUrl(2) },
      appEnv,
      stop,
      logTails: (lines = 40) => `${ory.logTails(lines)}\n${apps.logTails(lines)}`,
    };
  } catch (error) {
    const report = `${String(error)}\n${apps.logTails()}\n${ory.logTails()}`;
    await apps.stop();
    await ory.stop({ keepRunDir: true });
    throw new Error(report);
  }
}
