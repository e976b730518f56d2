import type { VerifyKeyObjectInput } from 'node:crypto';
import type { ValidatedOAuth2Config } from '../config/oauth2-config.js';
import type { Deadline } from '../deadline/deadline.js';
import { withinDeadline } from '../deadline/deadline-failure.js';
import { IamUnauthorizedError } from '../errors/iam-errors.js';
import { checkClaimTypes } from './claim-types.js';
import { malformed, parseCompactJws } from './compact-jws.js';
import type { JwksKeyStore } from './jwks-key-store.js';
import { checkHeader } from './jws-header.js';
import { scopeFromClaims } from './scope-claim.js';
import { verifySignature } from './verify-signature.js';

/** A machine caller's access token that passed every check. */
export interface VerifiedAccessToken {
  readonly clientId: string;
  readonly scope: readonly string[];
  readonly exp: number;
  readonly claims: Readonly<Record<string, unknown>>;
}

/**
 * Verifies an OAuth2 JWT access token (Hydra's `jwt` strategy) with the same strictness as
 * Oathkeeper's JWTs: size → header (alg allow-list, kid) → claim types → key → signature →
 * exp/nbf → iss → aud → client_id, which must be the subject. No replay step: access tokens are bearer credentials a client
 * reuses until `exp` (RFC 6749), so a `jti` seen twice is normal.
 */
export class AccessTokenVerifier {
  private readonly skewSeconds: number;

  constructor(
    private readonly oauth2: ValidatedOAuth2Config,
    private readonly keys: JwksKeyStore,
    private readonly now: () => number = Date.now,
  ) {
    this.skewSeconds = oauth2.clockSkewMs / 1_000;
  }

  async verify(token: string, deadline?: Deadline): Promise<VerifiedAccessToken> {
    const { header, payload, signingInput, signature } = parseCompactJws(
      token,
      this.oauth2.maxTokenBytes,
    );
    const { alg, kid } = checkHeader(header, this.oauth2.jwks.algorithms);
    const typed = checkClaimTypes(payload, this.now() / 1_000, this.skewSeconds);
    const found = this.keys.resolve(kid, alg);
    const key: VerifyKeyObjectInput | undefined =
      found instanceof Promise
        ? await (deadline === undefined ? found : withinDeadline('JWKS refetch', deadline, found))
        : found;
    if (key === undefined || !verifySignature(alg, key, signingInput, signature)) {
      throw new IamUnauthorizedError('auth.failure.invalid_signature');
    }
    const nowSeconds = this.now() / 1_000;
    if (typed.exp + this.skewSeconds <= nowSeconds) {
      throw new IamUnauthorizedError('auth.failure.expired');
    }
    if (typed.nbf !== undefined && typed.nbf - this.skewSeconds > nowSeconds) {
      throw new IamUnauthorizedError('auth.failure.not_yet_valid');
    }
    if (typed.iss !== this.oauth2.issuer) {
      throw new IamUnauthorizedError('auth.failure.issuer_mismatch');
    }
    if (!typed.aud.includes(this.oauth2.audience)) {
      throw new IamUnauthorizedError('auth.failure.audience_mismatch');
    }
    const clientId = payload.client_id;
    if (typeof clientId !== 'string' || clientId === '') {
      throw malformed('client_id is missing: not a client-credentials access token');
    }
    // Hydra makes the client its own subject for the client-credentials grant only; a token a
    // user obtained through an OAuth2 app has the user as subject and must not pass as the app.
    if (clientId !== typed.sub) {
      throw malformed('client_id is not the subject: not a client-credentials access token');
    }
    return { clientId, scope: scopeFromClaims(payload), exp: typed.exp, claims: payload };
  }
}
