/**
 * The guards users would write instead of ours, as the bench's comparison points. No constructor
 * injection: the bench runs under tsx (esbuild), which emits no decorator metadata.
 */

import { createPublicKey, type JsonWebKey, type KeyObject, verify } from 'node:crypto';
import {
  type CanActivate,
  type ExecutionContext,
  Injectable,
  UnauthorizedException,
} from '@nestjs/common';
import { PassportStrategy } from '@nestjs/passport';
import { createVerifier } from 'fast-jwt';
import { createRemoteJWKSet, jwtVerify } from 'jose';
import { passportJwtSecret } from 'jwks-rsa';
import { ExtractJwt, Strategy } from 'passport-jwt';
import { AUDIENCE, ISSUER } from '../support/bench-tenant.js';

function bearer(context: ExecutionContext): string {
  const request = context.switchToHttp().getRequest<{ headers: Record<string, unknown> }>();
  const header = request.headers.authorization;
  if (typeof header !== 'string' || !header.startsWith('Bearer ')) {
    throw new UnauthorizedException();
  }
  return header.slice(7);
}

/**
 * The approach of the library this one replaces, done right (the JWKS fetched once, not per
 * request): `jose.jwtVerify` against `createRemoteJWKSet` and an in-memory `Set` of jtis.
 */
export function joseGuard(jwksUrl: string): new () => CanActivate {
  const keys = createRemoteJWKSet(new URL(jwksUrl));
  const seen = new Set<string>();
  @Injectable()
  class JoseGuard implements CanActivate {
    async canActivate(context: ExecutionContext): Promise<boolean> {
      try {
        const { payload } = await jwtVerify(bearer(context), keys, {
          issuer: ISSUER,
          audience: AUDIENCE,
          algorithms: ['RS256'],
          clockTolerance: 30,
          requiredClaims: ['exp', 'jti', 'sub'],
        });
        const jti = String(payload.jti);
        if (seen.has(jti)) throw new UnauthorizedException('replay');
        seen.add(jti);
        return true;
      } catch {
        throw new UnauthorizedException();
      }
    }
  }
  return JoseGuard;
}

/**
 * The fastest guard a user could write with a JWT library: one `fast-jwt` verifier per `kid`, made
 * with that key's PEM (the JWKS fetched once per kid), so fast-jwt prepares each key once; a key
 * given by a function is parsed again on every token, which made this guard cost as much as
 * passport's. The same checks as the jose guard, a jti `Set`.
 */
export function fastJwtGuard(jwksUrl: string): new () => CanActivate {
  type Verify = (token: string) => { jti?: unknown };
  const verifiers = new Map<string, Promise<Verify>>();
  const verifierOf = async (kid: string): Promise<Verify> => {
    const { keys } = (await (await fetch(jwksUrl)).json()) as {
      keys: (JsonWebKey & { kid?: string })[];
    };
    const jwk = keys.find((key) => key.kid === kid);
    if (jwk === undefined) throw new UnauthorizedException();
    const pem = createPublicKey({ key: jwk, format: 'jwk' }).export({
      type: 'spki',
      format: 'pem',
    });
    return createVerifier({
      key: String(pem),
      algorithms: ['RS256'],
      allowedIss: ISSUER,
      allowedAud: AUDIENCE,
      clockTolerance: 30_000,
      requiredClaims: ['exp', 'jti', 'sub'],
    });
  };
  const kidOf = (token: string): string => {
    const header = JSON.parse(
      Buffer.from(token.slice(0, token.indexOf('.')), 'base64url').toString('utf8'),
    ) as { kid?: unknown };
    return typeof header.kid === 'string' ? header.kid : '';
  };
  const seen = new Set<string>();
  @Injectable()
  class FastJwtGuard implements CanActivate {
    async canActivate(context: ExecutionContext): Promise<boolean> {
      let payload: { jti?: unknown };
      try {
        const token = bearer(context);
        const kid = kidOf(token);
        let verifier = verifiers.get(kid);
        if (verifier === undefined) {
          verifier = verifierOf(kid);
          verifiers.set(kid, verifier);
        }
        payload = (await verifier)(token);
      } catch {
        throw new UnauthorizedException();
      }
      const jti = String(payload.jti);
      if (seen.has(jti)) throw new UnauthorizedException('replay');
      seen.add(jti);
      return true;
    }
  }
  return FastJwtGuard;
}

/**
 * The floor of any guard that checks an RS256 signature: split the token, one `crypto.verify`
 * with a cached KeyObject, nothing else (no header, claim, time, audience or replay check). Not a
 * guard to use: what is left above it is the cost of the checks.
 */
export function signatureOnlyGuard(jwksUrl: string): new () => CanActivate {
  let key: Promise<KeyObject> | undefined;
  const load = async () => {
    const { keys } = (await (await fetch(jwksUrl)).json()) as { keys: JsonWebKey[] };
    return createPublicKey({ key: keys[0] as JsonWebKey, format: 'jwk' });
  };
  @Injectable()
  class SignatureOnlyGuard implements CanActivate {
    async canActivate(context: ExecutionContext): Promise<boolean> {
      key ??= load();
      const token = bearer(context);
      const dot = token.lastIndexOf('.');
      const signature = Buffer.from(token.slice(dot + 1), 'base64url');
      if (!verify('sha256', Buffer.from(token.slice(0, dot)), await key, signature)) {
        throw new UnauthorizedException();
      }
      return true;
    }
  }
  return SignatureOnlyGuard;
}

/**
 * The floor plus the least a JWT guard must check, inline and with nothing to spare: the payload's
 * JSON, `exp`, `iss`, `aud` and a jti `Set` (no header, type, `nbf`, size or encoding checks, no
 * identity). Not a guard to use either: what it adds over the floor bounds from below what any
 * guard that checks claims can add, on the same request.
 */
export function fewestChecksGuard(jwksUrl: string): new () => CanActivate {
  let key: KeyObject | undefined;
  const loading = (async () => {
    const { keys } = (await (await fetch(jwksUrl)).json()) as { keys: JsonWebKey[] };
    key = createPublicKey({ key: keys[0] as JsonWebKey, format: 'jwk' });
  })();
  const seen = new Set<string>();
  @Injectable()
  class FewestChecksGuard implements CanActivate {
    canActivate(context: ExecutionContext): boolean | Promise<boolean> {
      if (key === undefined) return loading.then(() => this.canActivate(context));
      const token = bearer(context);
      const firstDot = token.indexOf('.');
      const dot = token.lastIndexOf('.');
      const signature = Buffer.from(token.slice(dot + 1), 'base64url');
      if (!verify('sha256', Buffer.from(token.slice(0, dot)), key, signature)) {
        throw new UnauthorizedException();
      }
      const claims = JSON.parse(
        Buffer.from(token.slice(firstDot + 1, dot), 'base64url').toString('utf8'),
      ) as { exp?: unknown; iss?: unknown; aud?: unknown; jti?: unknown };
      if (
        typeof claims.exp !== 'number' ||
        claims.exp * 1_000 <= Date.now() ||
        claims.iss !== ISSUER ||
        !Array.isArray(claims.aud) ||
        !claims.aud.includes(AUDIENCE) ||
        typeof claims.jti !== 'string' ||
        seen.has(claims.jti)
      ) {
        throw new UnauthorizedException();
      }
      seen.add(claims.jti);
      return true;
    }
  }
  return FewestChecksGuard;
}

/** `@nestjs/passport` + `passport-jwt` + `jwks-rsa`, as its README sets it up (no replay check). */
export function passportStrategy(jwksUrl: string): new () => unknown {
  @Injectable()
  class JwtStrategy extends PassportStrategy(Strategy, 'jwt') {
    constructor() {
      super({
        secretOrKeyProvider: passportJwtSecret({ jwksUri: jwksUrl, cache: true, rateLimit: false }),
        jwtFromRequest: ExtractJwt.fromAuthHeaderAsBearerToken(),
        issuer: ISSUER,
        audience: AUDIENCE,
        algorithms: ['RS256'],
      });
    }

    validate(payload: Record<string, unknown>): Record<string, unknown> {
      return payload;
    }
  }
  return JwtStrategy;
}
