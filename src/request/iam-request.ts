/**
 * The library's one view of an incoming request, the same for Express, Fastify and GraphQL.
 * Every header and cookie read goes through it.
 */
export interface IamRequest {
  readonly method: string;
  /** Path without the query string. */
  readonly path: string;
  /** First value of a header; `name` is matched case-insensitively. */
  header(name: string): string | undefined;
  /** One cookie from the `Cookie` header, parsed with the `cookie` package. */
  cookie(name: string): string | undefined;
  readonly params: Readonly<Record<string, string | undefined>>;
  readonly query: Readonly<Record<string, unknown>>;
  readonly body: unknown;
  /** Client address; `X-Forwarded-For` is honoured only when the tenant sets `trustProxy`. */
  clientIp(trustProxy: boolean): string | undefined;
  /** Host; `X-Forwarded-Host` is honoured only when `trustProxy` is set. */
  host(trustProxy: boolean): string | undefined;
  /** The platform's own request object. */
  readonly raw: object;
}
