/**
 * OpenTelemetry for one example app, on when `OTEL_METRICS_PORT` is set (`npm run example --
 * --otel` sets it): metrics on a Prometheus `/metrics` port, traces to an OTLP endpoint when
 * `OTEL_EXPORTER_OTLP_ENDPOINT` is set, else to the console (the app's log). Call it before
 * `NestFactory.create`: nestjs-ory-iam takes its meter when its module is built, and a meter
 * taken before a provider is registered stays a no-op.
 *
 * The SDK packages are loaded only when asked, so an app started without the variable needs none
 * of them installed.
 */
export async function startTelemetry(serviceName: string): Promise<void> {
  const port = process.env.OTEL_METRICS_PORT;
  if (port === undefined || port === '') return;
  const { context, metrics, propagation, trace } = await import('@opentelemetry/api');
  const { AsyncLocalStorageContextManager } = await import('@opentelemetry/context-async-hooks');
  const { W3CTraceContextPropagator } = await import('@opentelemetry/core');
  const { PrometheusExporter } = await import('@opentelemetry/exporter-prometheus');
  const { OTLPTraceExporter } = await import('@opentelemetry/exporter-trace-otlp-http');
  const { resourceFromAttributes } = await import('@opentelemetry/resources');
  const { MeterProvider } = await import('@opentelemetry/sdk-metrics');
  const { BasicTracerProvider, BatchSpanProcessor, ConsoleSpanExporter, SimpleSpanProcessor } =
    await import('@opentelemetry/sdk-trace-base');

  const resource = resourceFromAttributes({ 'service.name': serviceName });
  // The OTLP exporter reads OTEL_EXPORTER_OTLP_ENDPOINT (and _HEADERS) itself. The console gets
  // each span as it ends, so a stopped app loses none.
  const spanProcessor =
    process.env.OTEL_EXPORTER_OTLP_ENDPOINT === undefined
      ? new SimpleSpanProcessor(new ConsoleSpanExporter())
      : new BatchSpanProcessor(new OTLPTraceExporter());
  const tracerProvider = new BasicTracerProvider({ resource, spanProcessors: [spanProcessor] });
  // On the app's interface: HOST=0.0.0.0 (docker-compose) lets the Prometheus container scrape it.
  const host = process.env.HOST ?? '127.0.0.1';
  // Started here rather than by the exporter, which would only log a port it cannot bind through
  // OpenTelemetry's diag logger (silent by default): the app would run without metrics.
  const prometheus = new PrometheusExporter({ port: Number(port), host, preventServerStart: true });
  await prometheus.startServer().catch((error: unknown) => {
    throw new Error(`the Prometheus exporter cannot listen on ${host}:${port}`, { cause: error });
  });
  const meterProvider = new MeterProvider({ resource, readers: [prometheus] });

  context.setGlobalContextManager(new AsyncLocalStorageContextManager().enable());
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
}
