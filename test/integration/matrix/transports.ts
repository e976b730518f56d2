/**
 * The five transports of the matrix: how both tenants of an app are configured (the same upstreams
 * and secrets, so only the binding of a credential to its tenant tells them apart, see
 * docs/configuration.md "Binding credentials to tenants"), and every way a principal's credential
 * can be carried to the app.
 */
import { createHmac } from 'node:crypto';
import type { KetoConfig, TenantConfig } from '../../../src/index.js';
import type { TestSigner } from '../../../src/testing/index.js';
import type { Principal } from './principals.js';

export const ISSUER = 'https://oathkeeper.test/';
export const AUDIENCE = 'matrix-api';
/** Held by both tenants of the HMAC app: the signed header must name its tenant. */
const HMAC_SECRET = 'one-secret-held-by-acme-and-globex-alike';

/** What the transports are configured against: the real Kratos and Keto, the signer's JWKS. */
export interface MatrixUpstreams {
  readonly kratosPublicUrl: string;
  readonly keto: KetoConfig;
  readonly jwksUrl: string;
  readonly signer: TestSigner;
}

/** The headers carrying a principal's credential; called per request (a fresh JWT each time). */
export type CredentialForm = (
  principal: Principal,
  upstreams: MatrixUpstreams,
) => Record<string, string>;

export interface MatrixTransport {
  readonly name: string;
  /** The config of one tenant; both tenants of the app get the same one. */
  tenant(upstreams: MatrixUpstreams): TenantConfig;
  /** Every way the transport reads a credential, by name. */
  readonly forms: Readonly<Record<string, CredentialForm>>;
}

/** The claims Oathkeeper's id_token mutator would put in the token, and HMAC mode signs. */
function claimsOf(principal: Principal): Record<string, unknown> {
  return {
    sub: principal.id,
    tenant: principal.tenant,
    metadataPublic: { roles: principal.roles },
  };
}

function hmacHeaders(principal: Principal): Record<string, string> {
  const identity = JSON.stringify(claimsOf(principal));
  const signature = createHmac('sha256', HMAC_SECRET).update(identity, 'utf8').digest('hex');
  return { 'X-User': identity, 'X-User-Signature': signature };
}

const kratosTenant =
  (transport: 'cookie' | 'bearer' | 'cookie-or-bearer') =>
  (upstreams: MatrixUpstreams): TenantConfig => ({
    transport,
    // Several tenants ask one Kratos: each identity names its tenant in metadata_public.
    kratos: { publicUrl: upstreams.kratosPublicUrl, tenantBinding: 'metadata_public.tenant' },
    keto: upstreams.keto,
  });

const cookie: CredentialForm = (principal) => ({ Cookie: principal.cookie });
const authorizationBearer: CredentialForm = (principal) => ({
  Authorization: `Bearer ${principal.sessionToken}`,
});
const sessionTokenHeader: CredentialForm = (principal) => ({
  'X-Session-Token': principal.sessionToken,
});

export const TRANSPORTS: readonly MatrixTransport[] = [
  {
    name: 'oathkeeper-jwt',
    tenant: (upstreams) => ({
      transport: 'oathkeeper',
      oathkeeper: {
        verifier: 'jwt',
        jwks: { url: upstreams.jwksUrl },
        issuer: ISSUER,
        audience: AUDIENCE,
        identityHeader: 'Authorization',
      },
      keto: upstreams.keto,
    }),
    forms: {
      'Authorization: Bearer <jwt>': (principal, upstreams) => ({
        Authorization: `Bearer ${upstreams.signer.mint({ ...claimsOf(principal), iss: ISSUER, aud: [AUDIENCE] })}`,
      }),
    },
  },
  {
    name: 'hmac',
    tenant: (upstreams) => ({
      transport: 'oathkeeper',
      oathkeeper: { verifier: 'hmac', hmacSecret: HMAC_SECRET },
      keto: upstreams.keto,
    }),
    forms: { 'X-User + X-User-Signature': hmacHeaders },
  },
  {
    name: 'cookie',
    tenant: kratosTenant('cookie'),
    forms: { 'session cookie': cookie },
  },
  {
    name: 'bearer',
    tenant: kratosTenant('bearer'),
    forms: {
      'Authorization: Bearer <session token>': authorizationBearer,
      'X-Session-Token': sessionTokenHeader,
    },
  },
  {
    name: 'cookie-or-bearer',
    tenant: kratosTenant('cookie-or-bearer'),
    forms: {
      'session cookie': cookie,
      'Authorization: Bearer <session token>': authorizationBearer,
      'X-Session-Token': sessionTokenHeader,
    },
  },
];
