import { type ArgumentsHost, Catch, type ExceptionFilter } from '@nestjs/common';
import { IamHttpError } from '../errors/iam-errors.js';
import { sendWsRejection, wsRejectionOf } from '../request/ws-rejection.js';

/**
 * Gives a WebSocket client the library's stable `code` for a refused message: Nest's own gateway
 * error handling answers anything but its `WsException` with "Internal server error" (socket.io)
 * or nothing at all (`ws`). Apply it to a gateway with `@UseFilters(IamWsExceptionFilter)`: the
 * client gets an `exception` event `{ status: 'error', statusCode, code, message }` (and
 * `retryAfterSeconds` on a 503). Only for gateways (Nest never applies global filters to them);
 * `@IamGateway()` applies it. A denial that closes the connection is sent before the close
 * whether or not the filter is there.
 */
@Catch(IamHttpError)
export class IamWsExceptionFilter implements ExceptionFilter<IamHttpError> {
  catch(exception: IamHttpError, host: ArgumentsHost): void {
    const client = host.switchToWs().getClient<unknown>();
    if (typeof client !== 'object' || client === null) return;
    sendWsRejection(client, wsRejectionOf(exception));
  }
}
