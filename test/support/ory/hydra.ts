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
