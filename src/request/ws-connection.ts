import { isPlatformRequest, type PlatformRequest } from './http-request.js';

const UPGRADE_REQUEST = Symbol.for('nestjs-ory-iam:upgrade-request');

type WithUpgradeRequest = { [UPGRADE_REQUEST]?: PlatformRequest };

/**
 * Keeps the upgrade request of a `ws` socket, which the `ws` package hands to the connection
 * event only: call it in the gateway's `handleConnection(client, request)`. socket.io keeps its
 * handshake request itself (`client.request`) and needs no call. Without it, every message of the
 * socket that needs an identity is refused with `auth.failure.unsupported_context`.
 */
export function attachUpgradeRequest(client: object, request: object): void {
  if (!isPlatformRequest(request)) {
    throw new TypeError('attachUpgradeRequest needs the HTTP upgrade request of the connection.');
  }
  (client as WithUpgradeRequest)[UPGRADE_REQUEST] = request;
}

/**
 * The HTTP request that opened a WebSocket: the one attached to a `ws` socket, or socket.io's
 * handshake request. Undefined for a client the library does not know, which is then refused.
 */
export function upgradeRequestOf(client: unknown): PlatformRequest | undefined {
  if (typeof client !== 'object' || client === null) return undefined;
  const attached = (client as WithUpgradeRequest)[UPGRADE_REQUEST];
  if (attached !== undefined) return attached;
  const { request } = client as { request?: unknown };
  return isPlatformRequest(request) ? request : undefined;
}
