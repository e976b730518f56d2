import { randomBytes } from 'node:crypto';

/** `--dev` allows the plain-http issuer URL on loopback; nothing else in the tests needs TLS. */
export const hydraArgs = ['serve', 'all', '--dev', '--sqa-opt-out'];

/**
 * Hydra's whole config, as environment overrides: in-memory storage (a blank server per start),
 * loopback only, and JWT access tokens so services can verify them against Hydra's JWKS.
 */
export function hydraEnv(
  publicPort: number | undefined,
  adminPort: number | undefined,
): Record<string, string> {
  return {
    DSN: 'memory',
    SERVE_PUBLIC_HOST: '127.0.0.1',
    SERVE_PUBLIC_PORT: String(publicPort),
    SERVE_ADMIN_HOST: '127.0.0.1',
    SERVE_ADMIN_PORT: String(adminPort),
    URLS_SELF_ISSUER: `http://127.0.0.1:${String(publicPort)}/`,
    STRATEGIES_ACCESS_TOKEN: 'jwt',
    SECRETS_SYSTEM: randomBytes(24).toString('hex'),
    LOG_LEVEL: 'warn',
  };
}

/**
 * A blank Hydra creates its signing keys (RSA 4096, one set for ID tokens, one for access tokens)
 * on first use: the first JWKS fetch or token request takes seconds, longer on a loaded machine.
 * An app that fetched the JWKS first then spent its first request's whole deadline on that and
 * answered 503. A deployed Hydra has its keys, so a started one is given them before any test.
 */
export async function createHydraKeys(hydraPublic: string): Promise<void> {
  const response = await fetch(`${hydraPublic}/.well-known/jwks.json`, {
    signal: AbortSignal.timeout(60_000),
  });
  const { keys } = (await response.json()) as { keys?: unknown[] };
  if (!response.ok || !Array.isArray(keys) || keys.length < 2) {
    throw new Error(`Hydra did not create its signing keys: HTTP ${response.status}`);
  }
}
