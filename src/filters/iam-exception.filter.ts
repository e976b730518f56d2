import {
  type ArgumentsHost,
  Catch,
  type ExceptionFilter,
  Inject,
  Injectable,
  Optional,
} from '@nestjs/common';
import { HttpAdapterHost } from '@nestjs/core';
import { IAM_VALIDATED_OPTIONS } from '../config/injection-tokens.js';
import type { ValidatedIamOptions } from '../config/module-options.js';
import { mapIamError } from '../errors/error-mapping.js';
import { IamHttpError, IamUpstreamUnavailableError } from '../errors/iam-errors.js';
import { requestFromContext, setResponseHeader } from '../request/execution-context.js';

/**
 * Answers the library's errors thrown inside handlers (by `FlowService`, `SessionService`,
 * `IdentityService`, `PermissionService`) as the guards answer theirs: `Retry-After` on a 503,
 * and the module's `errors.map` applied, on Express and Fastify. In GraphQL it hands the error
 * back to the GraphQL server, whose error keeps the `code` in `extensions`. Opt-in: register it
 * with `{ provide: APP_FILTER, useClass: IamExceptionFilter }` or `@UseFilters(IamExceptionFilter)`.
 */
@Catch(IamHttpError)
@Injectable()
export class IamExceptionFilter implements ExceptionFilter<IamHttpError> {
  constructor(
    @Inject(HttpAdapterHost) private readonly adapterHost: HttpAdapterHost,
    @Optional()
    @Inject(IAM_VALIDATED_OPTIONS)
    private readonly options?: ValidatedIamOptions,
  ) {}

  catch(error: IamHttpError, host: ArgumentsHost): unknown {
    const found = requestFromContext(host);
    if (error instanceof IamUpstreamUnavailableError) {
      setResponseHeader(found?.response, 'Retry-After', String(error.retryAfterSeconds));
    }
    // GraphQL reports what a filter returns as the field's error, with its `extensions`.
    if (host.getType() !== 'http') return error;
    const response = host.switchToHttp().getResponse<unknown>();
    const adapter = this.adapterHost.httpAdapter;
    if (adapter.isHeadersSent(response)) {
      adapter.end(response);
      return undefined;
    }
    const answer =
      found === undefined ? error : mapIamError(error, this.options?.errors.map, found.request);
    const body = answer.getResponse();
    const status = answer.getStatus();
    adapter.reply(
      response,
      typeof body === 'object' && body !== null ? body : { statusCode: status, message: body },
      status,
    );
    return undefined;
  }
}
