import type { ArgumentsHost } from '@nestjs/common';
import { HttpIamRequest, isPlatformRequest, type PlatformRequest } from './http-request.js';
import type { IamRequest } from './iam-request.js';

/** The request (and response, when there is one) behind an execution context the library can check. */
export interface ContextRequest {
  readonly request: IamRequest;
  readonly response: object | undefined;
  /** The resolver's arguments in GraphQL; undefined for HTTP routes. */
  readonly graphqlArgs: Readonly<Record<string, unknown>> | undefined;
}

interface GraphqlInfo {
  operation?: { operation?: string };
}

interface GraphqlContext {
  req?: unknown;
  request?: unknown;
  reply?: unknown;
  res?: unknown;
}

/**
 * Finds the HTTP request of an HTTP or GraphQL context (a guard's, or an exception filter's host). GraphQL (Apollo or Mercurius) keeps it in
 * the third resolver argument. Any other context (ws, rpc, a GraphQL subscription) answers
 * undefined: the guards deny it unless the route is public, because there is no request the
 * library knows how to verify for as long as it lives.
 */
export function requestFromContext(context: ArgumentsHost): ContextRequest | undefined {
  const type = context.getType<string>();
  if (type === 'http') {
    const http = context.switchToHttp();
    return wrap(http.getRequest<unknown>(), http.getResponse<unknown>(), undefined);
  }
  if (type === 'graphql') {
    // A subscription lives on after the guards ran, over a connection whose credentials nothing
    // re-checks (an expired token would keep streaming): refused until the library checks them.
    const info = context.getArgByIndex<GraphqlInfo | undefined>(3);
    if (info?.operation?.operation === 'subscription') return undefined;
    const graphqlContext = context.getArgByIndex<GraphqlContext | undefined>(2);
    if (graphqlContext === undefined || graphqlContext === null) return undefined;
    const args = context.getArgByIndex<Record<string, unknown> | undefined>(1);
    return wrap(
      graphqlContext.req ?? graphqlContext.request,
      graphqlContext.res ?? graphqlContext.reply,
      Object.freeze({ ...args }),
    );
  }
  return undefined;
}

// A fresh view per call, not one cached per request: only SessionGuard reads cookies, so there is
// no parse to share, and a short-lived object is cheaper than a WeakMap entry on every request.
function wrap(
  request: unknown,
  response: unknown,
  graphqlArgs: ContextRequest['graphqlArgs'],
): ContextRequest | undefined {
  if (!isPlatformRequest(request)) return undefined;
  return {
    request: new HttpIamRequest(request as PlatformRequest),
    response: typeof response === 'object' && response !== null ? response : undefined,
    graphqlArgs,
  };
}

/** Sets a response header on Express (`setHeader`) or Fastify (`header`) responses. */
export function setResponseHeader(response: object | undefined, name: string, value: string): void {
  if (response === undefined) return;
  const target = response as {
    header?: (name: string, value: string) => unknown;
    setHeader?: (name: string, value: string) => unknown;
    headersSent?: boolean;
  };
  if (target.headersSent === true) return;
  if (typeof target.setHeader === 'function') target.setHeader(name, value);
  else if (typeof target.header === 'function') target.header(name, value);
}
