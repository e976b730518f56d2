import { type ArgumentsHost, Catch, type ExceptionFilter, HttpException } from '@nestjs/common';

/** orders-api's own refusals, with a stable `code` like the library's: `{ statusCode, code, message }`. */
export type OrderErrorCode =
  | 'orders.invalid_body'
  | 'orders.unknown_sku'
  | 'orders.insufficient_stock'
  | 'orders.inventory_refused'
  | 'orders.inventory_unavailable';

export class OrderError extends HttpException {
  constructor(
    status: 400 | 404 | 409 | 503,
    readonly code: OrderErrorCode,
    message: string,
    /** With a 503: when the caller may try again (the `Retry-After` header). */
    readonly retryAfterSeconds?: number,
  ) {
    super({ statusCode: status, code, message }, status);
  }
}

/** Answers an {@link OrderError} with its body, and `Retry-After` when it has one. */
@Catch(OrderError)
export class OrderErrorFilter implements ExceptionFilter<OrderError> {
  catch(error: OrderError, host: ArgumentsHost): void {
    // Express's response, typed by what is used here: the example compiles without @types/express.
    const response = host.switchToHttp().getResponse<{
      setHeader(name: string, value: string): void;
      status(code: number): { json(body: unknown): void };
    }>();
    if (error.retryAfterSeconds !== undefined) {
      response.setHeader('Retry-After', String(error.retryAfterSeconds));
    }
    response.status(error.getStatus()).json(error.getResponse());
  }
}
