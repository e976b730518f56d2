import { HttpIamRequest } from './http-request.js';

/**
 * {@link HttpIamRequest} over the request that opened a WebSocket. Its method reads `WEBSOCKET`,
 * not the `GET` it was sent with: a socket reads and writes for as long as it lives, so it is not
 * a safe method, and a cookie-authenticated handshake another site made is refused like a
 * cross-site POST (cross-site WebSocket hijacking). Audit events show the same method.
 */
export class WsUpgradeRequest extends HttpIamRequest {
  override get method(): string {
    return 'WEBSOCKET';
  }
}
