import { afterAll, beforeAll } from 'vitest';
import type { ValidatedTenantConfig } from '../../../src/config/tenant-config.js';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { JwksKeyStore } from '../../../src/jwt/jwks-key-store.js';
import type { ReplayCache } from '../../../src/replay/replay-cache.js';
import { type TestJwksServer, TestSigner } from '../../../src/testing/test-signer.js';
import { RecordingSink } from '../../support/recording-sink.js';

export { RecordingSink };

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

/** A test signer, its JWKS on loopback and a key store that has loaded it, for one test file. */
export interface WarmKeys {
  readonly signer: TestSigner;
  readonly jwks: TestJwksServer;
  readonly keys: JwksKeyStore;
}

/** Builds {@link WarmKeys} before the file's tests and closes them after; read it inside a test. */
export function useWarmKeys(): () => WarmKeys {
  let warm: WarmKeys | undefined;
  beforeAll(async () => {
    const signer = TestSigner.create();
    const jwks = await signer.serve();
    const config = jwtTenant(jwks.url).oathkeeper?.jwks;
    if (config === undefined) throw new Error('no jwks config');
    const keys = new JwksKeyStore(config, 'default', new RecordingSink().emitter());
    await keys.refresh();
    warm = { signer, jwks, keys };
  });
  afterAll(async () => {
    warm?.keys.close();
    await warm?.jwks.close();
  });
  return () => {
    if (warm === undefined) throw new Error('the warm keys are read outside a test');
    return warm;
  };
}
