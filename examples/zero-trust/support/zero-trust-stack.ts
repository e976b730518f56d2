/**
 * The whole example: Kratos, Keto, Hydra and Oathkeeper from the local binaries, /auth, /orders
 * and /inventory routed to the three apps with the generated config/access-rules.json, each app a
 * separate process, and orders-api's OAuth2 client registered at Hydra. The front door is
 * Oathkeeper's proxy, or nginx asking Oathkeeper's decision API (`front: 'nginx'`) with the same
 * rules; orders-api calls inventory-api through that same door.
 */

import type { RunningNginx } from '../../../test/support/nginx/server.js';
import type { UpstreamHit } from '../../../test/support/ory/echo-upstream.js';
import {
  createServiceClient,
  type ServiceClient,
} from '../../../test/support/ory/hydra-clients.js';
import { accessRules } from '../../../test/support/ory/oathkeeper-files.js';
import { freePorts } from '../../../test/support/ory/ports.js';
import {
  type SniffingProxy,
  startSniffingProxy,
} from '../../../test/support/ory/sniffing-proxy.js';
import { type OathkeeperRoutes, type OryStack, startOry } from '../../../test/support/ory/stack.js';
import { type AppGroup, type AppProcess, AppGroup as Apps, buildApps } from './apps.js';
import { exampleRulesFor } from './example-rules.js';
import { startNginxFront } from './nginx-front.js';

/** Who the clients call: Oathkeeper as the proxy, or nginx asking Oathkeeper's `/decisions`. */
export type Front = 'oathkeeper' | 'nginx';

/** nginx's port with `ports: 'standard'`. */
export const standardNginxPort = 8080;

export interface ZeroTrustOptions {
  /**
   * `standard`: Ory's usual ports, the apps on 3000-3002 and nginx on 8080; `free`: any free
   * loopback ports.
   */
  readonly ports: 'standard' | 'free';
  /** Default `oathkeeper`. */
  readonly front?: Front;
  /** Extra routes behind a Kratos session (an id_token minted), e.g. a capture upstream for tests. */
  readonly extraSessionRoutes?: Readonly<Record<string, string>>;
  /** Extra routes anyone may call (Oathkeeper's anonymous authenticator, noop mutator). */
  readonly extraPublicRoutes?: Readonly<Record<string, string>>;
  /** Shared replay cache for orders-api (the multi-pod note). */
  readonly redisUrl?: string;
  /** Extra environment for every app. */
  readonly appEnv?: Readonly<Record<string, string>>;
  /**
   * OpenTelemetry in every app (telemetry/start-telemetry.ts): a Prometheus `/metrics` port each
   * (9464-9466 with standard ports), traces to the console or `OTEL_EXPORTER_OTLP_ENDPOINT`.
   */
  readonly otel?: boolean;
  /**
   * Put a recording proxy between the gateway and inventory-api, so `inventoryCalls` shows what
   * reached it (the id_token Oathkeeper minted for orders-api's call, to replay it).
   */
  readonly recordInventoryCalls?: boolean;
}

/** orders-api's OAuth2 client at Hydra, as the example registers it. */
export const ordersApiClient = {
  id: 'orders-api',
  scope: ['inventory:reserve'],
  audience: ['inventory-api'],
  authMethod: 'client_secret_basic',
} as const;

/** Each app's Prometheus endpoint, with `otel`. */
export interface MetricsUrls {
  readonly authBff: string;
  readonly ordersApi: string;
  readonly inventoryApi: string;
}

export interface ZeroTrust {
  readonly front: Front;
  /** The front door in words, for step names: `Oathkeeper` or `nginx + Oathkeeper /decisions`. */
  readonly door: string;
  readonly ory: OryStack;
  /** With `front: 'nginx'`. */
  readonly nginx: RunningNginx | undefined;
  readonly apps: AppGroup;
  readonly authBff: AppProcess;
  readonly ordersApi: AppProcess;
  readonly inventoryApi: AppProcess;
  /** The front door (Oathkeeper's proxy or nginx): the only door users should use. */
  readonly proxy: string;
  readonly kratosAdmin: string;
  readonly ketoWrite: string;
  readonly hydraPublic: string;
  readonly hydraAdmin: string;
  /** orders-api's client, with the secret this run registered (for tests asking Hydra directly). */
  readonly ordersClient: ServiceClient;
  /** With `recordInventoryCalls`: every request the gateway sent to inventory-api. */
  readonly inventoryCalls: readonly UpstreamHit[];
  /** With `otel`: where each app serves its metrics. */
  readonly metrics: MetricsUrls | undefined;
  /** Every URL and secret an app reads, for starting one more instance. */
  readonly appEnv: Readonly<Record<string, string>>;
  /** `appEnv` plus what orders-api alone reads (its client secret, the gateway for its calls). */
  readonly ordersApiEnv: Readonly<Record<string, string>>;
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
  const front = options.front ?? 'oathkeeper';
  // The apps' ports, their metrics ports (used with `otel`) and nginx's (used with `front:
  // 'nginx'`): free ones from one call, all distinct.
  const otel = options.otel === true;
  const [bffPort, ordersPort, inventoryPort, ...otherPorts] =
    options.ports === 'standard'
      ? [3000, 3001, 3002, 9464, 9465, 9466, standardNginxPort]
      : await freePorts(7);
  const otelPorts = otherPorts.slice(0, 3);
  const nginxPort = otherPorts[3];
  const upstream = (port: number | undefined) => `http://127.0.0.1:${String(port)}`;
  const extraPublic = Object.fromEntries(
    Object.entries(options.extraPublicRoutes ?? {}).map(([prefix, url]) => [
      prefix,
      { upstream: url, access: 'anonymous' as const },
    ]),
  );
  const extraRoutes: OathkeeperRoutes = { ...options.extraSessionRoutes, ...extraPublic };
  // What the gateway (Oathkeeper, or nginx) calls for inventory-api: the app, or a sniffing proxy
  // in front.
  const sniffer: SniffingProxy | undefined =
    options.recordInventoryCalls === true
      ? await startSniffingProxy(upstream(inventoryPort))
      : undefined;
  const inventoryUpstream = sniffer?.url ?? upstream(inventoryPort);
  const ory = await startOry({
    ports: options.ports,
    hydra: true,
    oathkeeper: { routes: extraRoutes },
  }).catch(async (error: unknown) => {
    await sniffer?.close();
    throw error;
  });
  const urls = ory.urls;
  let nginx: RunningNginx | undefined;
  if (front === 'nginx') {
    try {
      nginx = await startNginxFront({
        port: Number(nginxPort),
        oathkeeperApi: required(urls.oathkeeperApi, 'Oathkeeper API'),
        authBff: upstream(bffPort),
        ordersApi: upstream(ordersPort),
        inventoryApi: inventoryUpstream,
        extraRoutes: { ...options.extraSessionRoutes, ...options.extraPublicRoutes },
      });
    } catch (error) {
      await ory.stop();
      await sniffer?.close();
      throw error;
    }
  }
  const proxy = nginx?.url ?? required(urls.oathkeeperProxy, 'Oathkeeper proxy');
  const appEnv: Record<string, string> = {
    KRATOS_PUBLIC_URL: required(urls.kratosPublic, 'Kratos public URL'),
    KRATOS_ADMIN_URL: required(urls.kratosAdmin, 'Kratos admin URL'),
    KETO_READ_URL: required(urls.ketoRead, 'Keto read URL'),
    KETO_WRITE_URL: required(urls.ketoWrite, 'Keto write URL'),
    OATHKEEPER_JWKS_URL: required(urls.jwksUrl, 'JWKS URL'),
    OATHKEEPER_ISSUER: required(urls.issuer, 'Oathkeeper issuer'),
    HYDRA_PUBLIC_URL: required(urls.hydraPublic, 'Hydra public URL'),
    CORS_ORIGIN: proxy,
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
    await nginx?.stop();
    await apps.stop();
    await sniffer?.close();
    await ory.stop();
  };
  const nginxTail = (lines: number) =>
    nginx === undefined ? '' : `\n----- nginx (${nginx.runDir}) -----\n${nginx.logTail(lines)}`;
  try {
    // The rules the example commits (generated from the apps), pointed at this run's ports and
    // front door: nginx tells Oathkeeper its own host, so behind nginx they match nginx's.
    const door = new URL(proxy);
    const hydraAdmin = required(urls.hydraAdmin, 'Hydra admin URL');
    await ory.setAccessRules([
      ...exampleRulesFor(
        Number(door.port),
        {
          'auth-bff': upstream(bffPort),
          'orders-api': upstream(ordersPort),
          'inventory-api': inventoryUpstream,
        },
        `${hydraAdmin}/admin/oauth2/introspect`,
        appEnv.OATHKEEPER_ISSUER ?? '',
      ),
      ...accessRules(extraRoutes, door.origin),
    ]);
    const ordersClient = await createServiceClient(hydraAdmin, ordersApiClient);
    const ordersApiEnv: Record<string, string> = {
      ...appEnv,
      ORDERS_API_CLIENT_SECRET: ordersClient.secret,
      // orders-api calls inventory-api through the front door, never directly.
      INVENTORY_URL: proxy,
    };
    const [authBff, ordersApi, inventoryApi] = await Promise.all([
      apps.start('auth-bff', 'auth-bff', Number(bffPort), { ...appEnv, ...otelEnv(0) }),
      apps.start('orders-api', 'orders-api', Number(ordersPort), {
        ...ordersApiEnv,
        ...otelEnv(1),
        ...(options.redisUrl !== undefined && { REDIS_URL: options.redisUrl }),
      }),
      apps.start('inventory-api', 'inventory-api', Number(inventoryPort), {
        ...appEnv,
        ...otelEnv(2),
      }),
    ]);
    return {
      front,
      door: front === 'nginx' ? 'nginx + Oathkeeper /decisions' : 'Oathkeeper',
      ory,
      nginx,
      apps,
      authBff,
      ordersApi,
      inventoryApi,
      proxy,
      kratosAdmin: appEnv.KRATOS_ADMIN_URL ?? '',
      ketoWrite: appEnv.KETO_WRITE_URL ?? '',
      hydraPublic: appEnv.HYDRA_PUBLIC_URL ?? '',
      hydraAdmin,
      ordersClient,
      inventoryCalls: sniffer?.hits ?? [],
      metrics:
        metricsPorts === undefined
          ? undefined
          : { authBff: metricsUrl(0), ordersApi: metricsUrl(1), inventoryApi: metricsUrl(2) },
      appEnv,
      ordersApiEnv,
      stop,
      logTails: (lines = 40) =>
        `${ory.logTails(lines)}${nginxTail(lines)}\n${apps.logTails(lines)}`,
    };
  } catch (error) {
    const report = `${String(error)}\n${apps.logTails()}\n${ory.logTails()}${nginxTail(40)}`;
    await nginx?.stop();
    await apps.stop();
    await sniffer?.close();
    await ory.stop({ keepRunDir: true });
    throw new Error(report);
  }
}
