import { deepFreeze } from '../common/deep-freeze.js';
import type { ValidatedOAuth2Config } from '../config/oauth2-config.js';
import type { ValidatedTenantConfig } from '../config/tenant-config.js';
import type { Deadline } from '../deadline/deadline.js';
import type { IamIdentity } from '../identity/iam-identity.js';
import type { AccessTokenVerifier } from '../jwt/access-token-verifier.js';
import { checkTokenSize, malformed } from '../jwt/compact-jws.js';
import type { JwksKeyStore, JwksStoreStatus } from '../jwt/jwks-key-store.js';
import { VerifiedTokenCache } from '../jwt/verified-token-cache.js';
import type { IamRequest } from '../request/iam-request.js';
import { tokenFromHeader } from './bearer-token.js';
import type { Transport } from './transport.js';

/** Three dot-separated parts: a compact JWS. Kratos session tokens (`ory_st_…`) never have dots. */
const JWT_SHAPE = /^[^.]+\.[^.]+\.[^.]*$/;

/**
 * A tenant's transport with machine callers in front: a JWT-shaped bearer token in the OAuth2
 * header is a Hydra access token and is verified here, failing closed (it never falls through to
 * the user transport); a request without that header is the user transport's, and so is an opaque
 * token in `Authorization` on a Kratos bearer tenant (a session token). Verified tokens are reused until
 * their `exp` from a cache, since clients resend the same access token until it expires.
 */
export class MachineTokenTransport implements Transport {
  private readonly verifiedTokens = new VerifiedTokenCache<IamIdentity>();
  private readonly sharesHeaderWithKratos: boolean;

  constructor(
    private readonly tenant: ValidatedTenantConfig,
    private readonly oauth2: ValidatedOAuth2Config,
    private readonly keys: JwksKeyStore,
    private readonly verifier: AccessTokenVerifier,
    private readonly users: Transport,
    private readonly now: () => number = Date.now,
  ) {
    this.sharesHeaderWithKratos =
      oauth2.header.toLowerCase() === 'authorization' &&
      (tenant.transport === 'bearer' || tenant.transport === 'cookie-or-bearer');
  }

  start(): void {
    this.keys.start();
    this.users.start?.();
  }

  async close(): Promise<void> {
    this.keys.close();
    await this.users.close?.();
  }

  /** The user transport's key store when it has one (the health indicator reports one store). */
  jwksStatus(): JwksStoreStatus {
    return this.users.jwksStatus?.() ?? this.keys.status();
  }

  async authenticate(request: IamRequest, deadline?: Deadline): Promise<IamIdentity | undefined> {
    const header = request.header(this.oauth2.header);
    const token = header === undefined ? undefined : tokenFromHeader(header);
    if (token === undefined) return this.users.authenticate(request, deadline);
    if (!JWT_SHAPE.test(token)) {
      // Only a Kratos bearer transport reads opaque tokens from this header; anywhere else an
      // opaque value is a malformed access token, not a reason to ignore the header.
      if (this.sharesHeaderWithKratos) return this.users.authenticate(request, deadline);
      throw malformed('the access token is not a JWT');
    }
    // Before the cache: an oversized token costs no work at all.
    checkTokenSize(token, this.oauth2.maxTokenBytes);
    const cached = this.verifiedTokens.get(token, this.now());
    if (cached !== undefined) return cached;
    const { clientId, scope, exp, claims } = await this.verifier.verify(token, deadline);
    const identity: IamIdentity = deepFreeze({
      id: clientId,
      kind: 'service',
      tenant: this.tenant.name,
      roles: [],
      scope: [...scope],
      via: 'oauth2-access-token',
      claims: { ...claims },
    });
    this.verifiedTokens.set(token, identity, exp * 1_000 + this.oauth2.clockSkewMs);
    return identity;
  }
}
