/**
 * Who sends the matrix's requests: one real Kratos identity per kind of credential, each logged in
 * twice (a native session token and a browser session cookie), with the Keto tuple of the
 * permission routes where it should hold one. The same identity ids are the subjects of the JWTs
 * and HMAC headers, so one set of Keto tuples serves every transport.
 */
import { loginBrowser, loginNative } from '../../support/ory/kratos-flows.js';
import type { KetoAdmin } from '../keto/support.js';
import { createIdentity, PASSWORD } from '../kratos/support.js';
import { PERMISSION, ROLE } from './routes.js';

/** Every request of the matrix is for this tenant (`X-Tenant: acme`). */
export const REQUEST_TENANT = 'acme';
/** The other tenant of the same app, sharing the Kratos, the JWKS and the HMAC secret. */
export const OTHER_TENANT = 'globex';

export const CREDENTIALS = ['none', 'valid', 'no grants', 'other tenant'] as const;
export type CredentialKind = (typeof CREDENTIALS)[number];

/** A credential's owner: the identity, what the tenant binding and roles read, its sessions. */
export interface Principal {
  readonly id: string;
  /** `metadata_public.tenant`, and the `tenant` claim of its JWTs and HMAC headers. */
  readonly tenant: string;
  /** `metadata_public.roles`, and `metadataPublic.roles` in its JWTs and HMAC headers. */
  readonly roles: readonly string[];
  readonly sessionToken: string;
  /** `ory_kratos_session=<value>`. */
  readonly cookie: string;
}

const WHO: Readonly<
  Record<Exclude<CredentialKind, 'none'>, { tenant: string; roles: string[]; granted: boolean }>
> = {
  // Holds the role and the Keto permission, on the request's tenant.
  valid: { tenant: REQUEST_TENANT, roles: [ROLE], granted: true },
  // The request's tenant, but neither the role nor the permission.
  'no grants': { tenant: REQUEST_TENANT, roles: [], granted: false },
  // Everything `valid` holds, but bound to the other tenant.
  'other tenant': { tenant: OTHER_TENANT, roles: [ROLE], granted: true },
};

export type Principals = Readonly<Record<Exclude<CredentialKind, 'none'>, Principal>>;

async function principal(
  kratos: { publicUrl: string; adminUrl: string },
  keto: KetoAdmin,
  who: { tenant: string; roles: string[]; granted: boolean },
): Promise<Principal> {
  const user = await createIdentity(kratos.adminUrl, {
    metadataPublic: { tenant: who.tenant, roles: who.roles },
  });
  // One after the other: Kratos on in-memory SQLite answers 500 ("Could not update flow") when
  // two logins write at once on a loaded machine.
  const native = await loginNative(kratos.publicUrl, user.email, PASSWORD);
  const cookie = await loginBrowser(kratos.publicUrl, user.email, PASSWORD);
  if (who.granted) await keto.write({ ...PERMISSION, subject: user.id });
  return {
    id: user.id,
    tenant: who.tenant,
    roles: who.roles,
    sessionToken: native.sessionToken,
    cookie,
  };
}

/** Creates the identities of the matrix in the real Kratos and their tuples in the real Keto. */
export async function createPrincipals(
  kratos: { publicUrl: string; adminUrl: string },
  keto: KetoAdmin,
): Promise<Principals> {
  return {
    valid: await principal(kratos, keto, WHO.valid),
    'no grants': await principal(kratos, keto, WHO['no grants']),
    'other tenant': await principal(kratos, keto, WHO['other tenant']),
  };
}
