import type { ArgumentsHost } from '@nestjs/common';
import { HttpIamRequest, isPlatformRequest, type PlatformRequest } from './http-request.js';
import type { IamRequest } from './iam-request.js';
import { upgradeRequestOf } from './ws-connection.js';
import { WsUpgradeRequest } from './ws-upgrade-request.js';

/** A message to a WebSocket gateway: the socket it came on and its payload. */
export interface WsMessage {
  readonly socket: object;
  readonly data: unknown;
}

/** The request (and response, when there is one) behind an execution context the library can check. */
export interface ContextRequest {
  readonly request: IamRequest;
  readonly response: object | undefined;
  /** The resolver's arguments in GraphQL; undefined for HTTP routes. */
  readonly graphqlArgs: Readonly<Record<string, unknown>> | undefined;
  /** The gateway message; undefined for HTTP and GraphQL. `request` is then its upgrade request. */
  readonly ws: WsMessage | undefined;
  /**
   * Keeps the authentication: the platform request, or the socket of a WebSocket message, so a
   * connection is authenticated once and no two sockets share an identity.
   */
  readonly stateHolder: object;
  /** Keeps the deadline of the decision: the platform request, or the arguments of one message. */
  readonly deadlineHolder: object;
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
 * Finds the HTTP request of an HTTP, GraphQL or WebSocket gateway context (a guard's, or an
 * exception filter's host). GraphQL (Apollo or Mercurius) keeps it in the third resolver argument;
 * a gateway message has the request that opened its socket. Any other context (rpc, a GraphQL
 * subscription, a socket whose upgrade request is unknown) answers undefined: the guards deny it
 * unless the route is public, because there is no request the library knows how to verify for as
 * long as it lives.
 */
export function requestFromContext(context: ArgumentsHost): ContextRequest | undefined {
  const type = context.getType<string>();
  if (type === 'http') {
    const http = context.switchToHttp();
    return wrap(http.getRequest<unknown>(), http.getResponse<unknown>(), undefined);
  }
  if (type === 'ws') return wsMessageOf(context);
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
    ws: undefined,
    stateHolder: request,
    deadlineHolder: request,
  };
}

// Nest builds the arguments array once per message and hands the same one to every guard of it.
function wsMessageOf(context: ArgumentsHost): ContextRequest | undefined {
  const socket = context.getArgByIndex<unknown>(0);
  const upgrade = upgradeRequestOf(socket);
  if (upgrade === undefined || typeof socket !== 'object' || socket === null) return undefined;
  return {
    request: new WsUpgradeRequest(upgrade),
    response: undefined,
    graphqlArgs: undefined,
    ws: { socket, data: context.getArgByIndex<unknown>(1) },
    stateHolder: socket,
    deadlineHolder: context.getArgs(),
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
