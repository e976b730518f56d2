import type { ValidatedOathkeeperConfig, ValidatedTenantConfig } from '../config/tenant-config.js';
import type { Deadline } from '../deadline/deadline.js';
import type { IamIdentity } from '../identity/iam-identity.js';
import { checkTokenSize } from '../jwt/compact-jws.js';
import type { JwksKeyStore, JwksStoreStatus } from '../jwt/jwks-key-store.js';
import type { OathkeeperJwtVerifier, VerifiedJwt } from '../jwt/oathkeeper-jwt-verifier.js';
import { VerifiedTokenCache } from '../jwt/verified-token-cache.js';
import type { IamRequest } from '../request/iam-request.js';
import { noteCacheHit } from '../telemetry/active-decision.js';
import { compactTokenFromHeader } from './bearer-token.js';
import { checkCsrfOrigin } from './csrf-origin.js';
import { identityFromClaims, serviceIdentityFromClaims } from './oathkeeper-identity.js';
import type { Transport } from './transport.js';

/**
 * Authenticates a request by the JWT Oathkeeper's `id_token` mutator put in the identity header:
 * a user's, or a machine caller's when the tenant's `serviceIssuer` issued it.
 * With replay protection off, tokens Oathkeeper's cache resends are served from a verified-token
 * cache until their `exp`; with it on, every use goes through the replay check.
 */
export class OathkeeperJwtTransport implements Transport {
  private readonly verifiedTokens: VerifiedTokenCache<IamIdentity> | undefined;

  constructor(
    private readonly tenant: ValidatedTenantConfig,
    private readonly oathkeeper: ValidatedOathkeeperConfig,
    private readonly keys: JwksKeyStore,
    private readonly verifier: OathkeeperJwtVerifier,
    private readonly now: () => number = Date.now,
  ) {
    this.verifiedTokens = oathkeeper.replayProtection.enabled
      ? undefined
      : new VerifiedTokenCache();
  }

  start(): void {
    this.keys.start();
  }

  close(): void {
    this.keys.close();
  }

  jwksStatus(): JwksStoreStatus {
    return this.keys.status();
  }

  async authenticate(request: IamRequest, deadline?: Deadline): Promise<IamIdentity | undefined> {
    return this.authenticateNow(request, deadline);
  }

  /** `authenticate` without a promise when the verifier needs none (see `verifyNow`). */
  authenticateNow(
    request: IamRequest,
    deadline?: Deadline,
  ): IamIdentity | undefined | Promise<IamIdentity | undefined> {
    const header = request.header(this.oathkeeper.identityHeader);
    if (header === undefined) return undefined;
    checkCsrfOrigin(request, this.oathkeeper.csrf, this.tenant.trustProxy);
    // Whitespace is refused by the compact-JWS parse (base64url and dots only), not scanned for here.
    const token = compactTokenFromHeader(header);
    // Before the verified-token cache: an oversized token costs no work at all.
    checkTokenSize(token, this.oathkeeper.maxTokenBytes);
    const cache = this.verifiedTokens;
    if (cache !== undefined) {
      const cached = cache.get(token, this.now());
      noteCacheHit(cached !== undefined);
      if (cached !== undefined) return cached;
    }
    const verified = this.verifier.verifyNow(token, deadline);
    return verified instanceof Promise
      ? verified.then((jwt) => this.identityOf(jwt, token))
      : this.identityOf(verified, token);
  }

  private identityOf(verified: VerifiedJwt, token: string): IamIdentity {
    const { claims, typed } = verified;
    const expiresAt = typed.exp * 1_000;
    const identity =
      verified.kind === 'service'
        ? serviceIdentityFromClaims(this.tenant, typed.sub, verified.scope, claims, expiresAt)
        : identityFromClaims(this.tenant, typed.sub, claims, 'oathkeeper-jwt', expiresAt);
    const cache = this.verifiedTokens;
    if (cache !== undefined) {
      cache.set(token, identity, typed.exp * 1_000 + this.oathkeeper.clockSkewMs);
    }
    return identity;
  }
}
