/**
 * The example's second front door: nginx (config/nginx.conf) routing /auth, /orders and
 * /inventory to the three apps, asking Oathkeeper's decision API about every request.
 */
import { join } from 'node:path';
import { type RunningNginx, startNginx } from '../../../test/support/nginx/server.js';
import { repoRoot } from '../../../test/support/ory/binaries.js';

/** Where nginx sends each path prefix, and whom it asks. */
export interface NginxFrontTargets {
  readonly port: number;
  /** Oathkeeper's API (the `/decisions` endpoint), e.g. `http://127.0.0.1:4456`. */
  readonly oathkeeperApi: string;
  readonly authBff: string;
  readonly ordersApi: string;
  readonly inventoryApi: string;
  /** More prefixes (`/capture`) and their upstreams, behind the same decisions. */
  readonly extraRoutes?: Readonly<Record<string, string>>;
}

function location(prefix: string, upstream: string): string {
  return `location ${prefix} {\n  proxy_pass ${upstream};\n}\n`;
}

/** Starts nginx with config/nginx.conf rendered for these ports; resolves once it answers. */
export function startNginxFront(targets: NginxFrontTargets): Promise<RunningNginx> {
  const files = Object.fromEntries(
    Object.entries(targets.extraRoutes ?? {}).map(([prefix, upstream], index) => [
      `locations.d/${String(index)}.conf`,
      location(prefix, upstream),
    ]),
  );
  return startNginx({
    template: join(repoRoot, 'examples/zero-trust/config/nginx.conf'),
    port: targets.port,
    values: {
      OATHKEEPER_API: targets.oathkeeperApi,
      AUTH_BFF: targets.authBff,
      ORDERS_API: targets.ordersApi,
      INVENTORY_API: targets.inventoryApi,
    },
    files,
  });
}
