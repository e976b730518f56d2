/**
 * Tokens Oathkeeper itself cannot be asked for (another audience, already expired), signed with
 * Oathkeeper's own signing key: the private JWKS the harness generated into the run directory.
 * The apps trust only Oathkeeper's published JWKS, so this is the one honest way to get such a
 * token past the signature check and see the audience and expiry checks answer.
 */
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { importJWK, type JWK, SignJWT } from 'jose';

export interface SignedClaims {
  readonly aud: string[];
  readonly sub: string;
  /** Seconds from now; negative for a token that has already expired. */
  readonly expiresIn: number;
}

export async function signAsOathkeeper(
  runDir: string,
  issuer: string,
  claims: SignedClaims,
): Promise<string> {
  const { keys } = JSON.parse(readFileSync(join(runDir, 'id_token.jwks.json'), 'utf8')) as {
    keys: JWK[];
  };
  // Oathkeeper v0.40.9 signs with the last private key of the set (see addKeyToJwks).
  const jwk = keys.at(-1);
  if (jwk?.kid === undefined) throw new Error('the signing JWKS has no key with a kid');
  const key = await importJWK(jwk, 'RS256');
  const now = Math.floor(Date.now() / 1000);
  const issuedAt = claims.expiresIn < 0 ? now + claims.expiresIn - 60 : now;
  return new SignJWT({ tenant: 'default', metadataPublic: {} })
    .setProtectedHeader({ alg: 'RS256', kid: jwk.kid, typ: 'JWT' })
    .setIssuer(issuer)
    .setSubject(claims.sub)
    .setAudience(claims.aud)
    .setJti(randomUUID())
    .setIssuedAt(issuedAt)
    .setNotBefore(issuedAt)
    .setExpirationTime(now + claims.expiresIn)
    .sign(key);
}

/** The `kid` in a compact JWT's header. */
export function kidOf(jwt: string): string | undefined {
  const header = jwt.split('.')[0] ?? '';
  return (JSON.parse(Buffer.from(header, 'base64url').toString('utf8')) as { kid?: string }).kid;
}
