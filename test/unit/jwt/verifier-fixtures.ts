import type { ValidatedTenantConfig } from '../../../src/config/tenant-config.js';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import type { ReplayCache } from '../../../src/replay/replay-cache.js';

export { RecordingSink } from '../../support/recording-sink.js';

export const AUDIENCE = 'orders-api';
export const ISSUER = 'https://oathkeeper.test/';

/** A validated Oathkeeper JWT tenant; `oathkeeper` entries replace the defaults given here. */
export function jwtTenant(
  jwksUrl: string,
  oathkeeper: Record<string, unknown> = {},
  name = 'default',
  claims: Record<string, unknown> = {},
): ValidatedTenantConfig {
  const options = validateIamOptions({
    tenants: {
      [name]: {
        transport: 'oathkeeper',
        claims,
        oathkeeper: {
          jwks: { url: jwksUrl },
          audience: AUDIENCE,
          replayProtection: { enabled: true },
          ...oathkeeper,
        },
      },
    },
  });
  const tenant = options.tenants[name];
  if (tenant === undefined) throw new Error(`no tenant ${name}`);
  return tenant;
}

/** A replay cache that records every call, backed by a Set; `claim` is optional per test. */
export class SpyReplayCache implements ReplayCache {
  readonly calls: string[] = [];
  private readonly seenKeys = new Set<string>();
  claim?: (jti: string, ttlMs: number) => Promise<boolean>;

  constructor(withClaim = true) {
    if (withClaim) {
      this.claim = async (jti, ttlMs) => {
        this.calls.push(`claim ${jti} ${ttlMs}`);
        if (this.seenKeys.has(jti)) return false;
        this.seenKeys.add(jti);
        return true;
      };
    }
  }

  async seen(jti: string): Promise<boolean> {
    this.calls.push(`seen ${jti}`);
    return this.seenKeys.has(jti);
  }

  async remember(jti: string, ttlMs: number): Promise<void> {
    this.calls.push(`remember ${jti} ${ttlMs}`);
    this.seenKeys.add(jti);
  }
}
