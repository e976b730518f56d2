import { randomBytes } from 'node:crypto';
import { Configuration, OAuth2Api } from '@ory/client';

/** An OAuth2 client allowed the client-credentials grant, as Hydra stored it. */
export interface ServiceClient {
  readonly id: string;
  readonly secret: string;
  /** How the client authenticates at the token endpoint. Default `client_secret_post`. */
  readonly authMethod?: 'client_secret_basic' | 'client_secret_post';
}

/** Registers a client-credentials client through Hydra's admin API (`@ory/client`'s OAuth2Api). */
export async function createServiceClient(
  hydraAdmin: string,
  client: {
    readonly id: string;
    readonly scope: readonly string[];
    readonly audience: readonly string[];
    /** Hydra's duration syntax, e.g. `1s`; default Hydra's (1 h). */
    readonly tokenLifespan?: string;
    /** Default `client_secret_post`. */
    readonly authMethod?: 'client_secret_basic' | 'client_secret_post';
    /** Default 48 random hex characters. */
    readonly secret?: string;
  },
): Promise<ServiceClient> {
  const secret = client.secret ?? randomBytes(24).toString('hex');
  const api = new OAuth2Api(new Configuration({ basePath: hydraAdmin }));
  await api.createOAuth2Client({
    oAuth2Client: {
      client_id: client.id,
      client_secret: secret,
      grant_types: ['client_credentials'],
      scope: client.scope.join(' '),
      audience: [...client.audience],
      token_endpoint_auth_method: client.authMethod ?? 'client_secret_post',
      ...(client.tokenLifespan !== undefined && {
        client_credentials_grant_access_token_lifespan: client.tokenLifespan,
      }),
    },
  });
  return { id: client.id, secret, authMethod: client.authMethod ?? 'client_secret_post' };
}

/**
 * A client-credentials access token from Hydra's token endpoint. `@ory/client` has no typed call
 * for this grant (its `oauth2TokenExchange` takes neither scope nor audience), so plain fetch.
 */
export async function clientCredentialsToken(
  hydraPublic: string,
  client: ServiceClient,
  request: { readonly scope: readonly string[]; readonly audience: readonly string[] },
): Promise<string> {
  const basic = client.authMethod === 'client_secret_basic';
  const body = new URLSearchParams({
    grant_type: 'client_credentials',
    ...(!basic && { client_id: client.id, client_secret: client.secret }),
    scope: request.scope.join(' '),
    audience: request.audience.join(' '),
  });
  // RFC 6749 2.3.1: id and secret form-encoded, then base64 (Hydra decodes them).
  const credentials = `${encodeURIComponent(client.id)}:${encodeURIComponent(client.secret)}`;
  const headers: Record<string, string> = basic
    ? { Authorization: `Basic ${Buffer.from(credentials).toString('base64')}` }
    : {};
  const response = await fetch(`${hydraPublic}/oauth2/token`, { method: 'POST', body, headers });
  const answer = (await response.json()) as { access_token?: unknown; error?: unknown };
  if (response.status !== 200 || typeof answer.access_token !== 'string') {
    throw new Error(`Hydra refused the token request: ${response.status} ${String(answer.error)}`);
  }
  return answer.access_token;
}
