import {
  Injectable,
  type MiddlewareConsumer,
  Module,
  type NestMiddleware,
  type NestModule,
} from '@nestjs/common';
import { context, SpanKind, trace } from '@opentelemetry/api';

export const SERVER_SPAN = 'GET (test server span)';

/**
 * Stands in for an HTTP server instrumentation: every request runs in a SERVER span, so the
 * library's spans can be checked to be its children.
 */
@Injectable()
class ServerSpanMiddleware implements NestMiddleware {
  use(
    _request: unknown,
    response: { on(event: 'finish', listener: () => void): void },
    next: () => void,
  ): void {
    const span = trace
      .getTracer('test-http-server')
      .startSpan(SERVER_SPAN, { kind: SpanKind.SERVER });
    response.on('finish', () => span.end());
    context.with(trace.setSpan(context.active(), span), next);
  }
}

@Module({})
export class ServerSpanModule implements NestModule {
  configure(consumer: MiddlewareConsumer): void {
    consumer.apply(ServerSpanMiddleware).forRoutes('*');
  }
}
