import { createHmac, timingSafeEqual } from 'node:crypto';
import type { ValidatedOathkeeperConfig, ValidatedTenantConfig } from '../config/tenant-config.js';
import { IamUnauthorizedError } from '../errors/iam-errors.js';
import { readClaimPath } from '../identity/claim-path.js';
import type { IamIdentity } from '../identity/iam-identity.js';
import { checkTenantClaim } from '../identity/tenant-claim.js';
import { malformed } from '../jwt/compact-jws.js';
import type { IamRequest } from '../request/iam-request.js';
import { checkCsrfOrigin } from './csrf-origin.js';
import { identityFromClaims } from './oathkeeper-identity.js';
import type { Transport } from './transport.js';

const HEX_SHA256 = /^[0-9a-fA-F]{64}$/;

function claimsOf(value: string): Readonly<Record<string, unknown>> {
  if (!value.startsWith('{')) return { sub: value };
  let parsed: unknown;
  try {
    parsed = JSON.parse(value);
  } catch {
    throw malformed('the identity header is not JSON');
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw malformed('the identity header is not a JSON object');
  }
  return parsed as Record<string, unknown>;
}

/**
 * Legacy shared-secret mode. The identity header carries the subject, or a JSON object of claims
 * with `sub`; the signature header carries hex HMAC-SHA256(hmacSecret, identity header value),
 * compared in constant time. A tenant claim, when present, must name this tenant. One that is
 * missing passes by `claims.allowMissingTenant`, which defaults to true only while no other tenant
 * holds the secret: then the secret alone binds the tenant, while any holder of a shared one could
 * sign for every tenant holding it. There is no expiry or replay protection in this mode; prefer
 * `verifier: 'jwt'`.
 */
export class OathkeeperHmacTransport implements Transport {
  private readonly secret: Buffer;

  constructor(
    private readonly tenant: ValidatedTenantConfig,
    private readonly oathkeeper: ValidatedOathkeeperConfig,
  ) {
    this.secret = Buffer.from(oathkeeper.hmacSecret ?? '', 'utf8');
  }

  async authenticate(request: IamRequest): Promise<IamIdentity | undefined> {
    const value = request.header(this.oathkeeper.identityHeader);
    if (value === undefined) return undefined;
    checkCsrfOrigin(request, this.oathkeeper.csrf, this.tenant.trustProxy);
    if (value === '') throw malformed('the identity header is empty');
    const signature = request.header(this.oathkeeper.signatureHeader);
    if (signature === undefined || !HEX_SHA256.test(signature)) {
      throw new IamUnauthorizedError('auth.failure.invalid_signature');
    }
    const expected = createHmac('sha256', this.secret).update(value, 'utf8').digest();
    if (!timingSafeEqual(expected, Buffer.from(signature, 'hex'))) {
      throw new IamUnauthorizedError('auth.failure.invalid_signature');
    }
    const claims = claimsOf(value);
    const subject = claims.sub;
    if (typeof subject !== 'string' || subject === '') throw malformed('sub is missing');
    const { tenant: tenantClaim, allowMissingTenant } = this.tenant.claims;
    checkTenantClaim(readClaimPath(claims, tenantClaim), this.tenant.name, allowMissingTenant);
    return identityFromClaims(this.tenant, subject, claims, 'oathkeeper-hmac');
  }
}
