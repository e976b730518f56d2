import { type IamHttpError, IamUpstreamUnavailableError } from '../errors/iam-errors.js';

/** What a WebSocket client is told of a refused message; never request data. */
export interface WsRejection {
  readonly statusCode: number;
  readonly code: string;
  readonly message: string;
  /** A 503's wait in seconds: what `Retry-After` says over HTTP. */
  readonly retryAfterSeconds?: number;
}

/** The rejection a WebSocket client is told of for one of the library's errors. */
export function wsRejectionOf(error: IamHttpError): WsRejection {
  return {
    statusCode: error.getStatus(),
    code: error.code,
    message: error.message,
    retryAfterSeconds:
      error instanceof IamUpstreamUnavailableError ? error.retryAfterSeconds : undefined,
  };
}

interface SocketIoClient {
  emit(event: string, payload: unknown): unknown;
  disconnect(close?: boolean): unknown;
}

interface WsClient {
  send(data: string): unknown;
  close(code?: number, reason?: string): unknown;
  readonly readyState: number;
}

/** `WebSocket.OPEN` of the `ws` package and of the WebSocket standard. */
const OPEN = 1;

function isSocketIoClient(client: object): client is SocketIoClient {
  const candidate = client as Partial<Record<keyof SocketIoClient, unknown>>;
  return typeof candidate.emit === 'function' && typeof candidate.disconnect === 'function';
}

function isWsClient(client: object): client is WsClient {
  const candidate = client as Partial<Record<keyof WsClient, unknown>>;
  return typeof candidate.send === 'function' && typeof candidate.close === 'function';
}

/**
 * Sends the rejection as an `exception` event in the shape Nest gives a `WsException` with an
 * object (`{ status: 'error', ... }`): over socket.io the event itself, over `ws` a
 * `{ event, data }` JSON message like those of Nest's WsAdapter. Answers whether it was sent.
 */
export function sendWsRejection(client: object, rejection: WsRejection): boolean {
  const payload = {
    status: 'error',
    statusCode: rejection.statusCode,
    code: rejection.code,
    message: rejection.message,
    ...(rejection.retryAfterSeconds === undefined
      ? {}
      : { retryAfterSeconds: rejection.retryAfterSeconds }),
  };
  // socket.io first: a `ws` socket is an EventEmitter too, but has no `disconnect`.
  if (isSocketIoClient(client)) {
    client.emit('exception', payload);
    return true;
  }
  if (isWsClient(client) && client.readyState === OPEN) {
    client.send(JSON.stringify({ event: 'exception', data: payload }));
    return true;
  }
  return false;
}

/**
 * Sends the rejection, then closes the connection: its authentication failed or expired, so no
 * later message could be handled either. The event goes first: socket.io flushes what was emitted
 * before it disconnects, and a `ws` close frame follows the queued data. A `ws` close carries
 * `4000 + status` (4401, 4403, 4503) and the code as its reason.
 */
export function closeWsConnection(client: object, rejection: WsRejection): void {
  sendWsRejection(client, rejection);
  if (isSocketIoClient(client)) client.disconnect(true);
  else if (isWsClient(client) && client.readyState === OPEN) {
    client.close(4_000 + rejection.statusCode, rejection.code);
  }
}
