import { context, metrics, propagation, trace } from '@opentelemetry/api';
import { AsyncLocalStorageContextManager } from '@opentelemetry/context-async-hooks';
import { W3CTraceContextPropagator } from '@opentelemetry/core';
import {
  type DataPoint,
  type Histogram,
  MeterProvider,
  MetricReader,
  type ResourceMetrics,
} from '@opentelemetry/sdk-metrics';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  type ReadableSpan,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';

/** A reader the test collects from when it wants, as an exporter would on its schedule. */
class InMemoryMetricReader extends MetricReader {
  protected async onShutdown(): Promise<void> {}
  protected async onForceFlush(): Promise<void> {}
}

/** One data point of an exported metric, with its attributes. */
export interface Point<T = unknown> {
  readonly attributes: Readonly<Record<string, unknown>>;
  readonly value: T;
}

/** The real OpenTelemetry SDK, registered globally as an application's `sdk-node` would be. */
export interface OtelSdk {
  /** Every span ended so far. */
  spans(): ReadableSpan[];
  /** Every metric as a reader collects it now. */
  collect(): Promise<ResourceMetrics>;
  /** The data points of the metric `name`. */
  points<T = unknown>(name: string): Promise<Point<T>[]>;
  reset(): void;
  shutdown(): Promise<void>;
}

/**
 * Registers a tracer provider with an in-memory exporter, an AsyncLocalStorage context manager,
 * the W3C propagator and a meter provider with an in-memory reader. Call it before the Nest app
 * is created: the library takes its meter when the module is built.
 */
export function registerOtelSdk(): OtelSdk {
  const exporter = new InMemorySpanExporter();
  const tracerProvider = new BasicTracerProvider({
    spanProcessors: [new SimpleSpanProcessor(exporter)],
  });
  const reader = new InMemoryMetricReader();
  const meterProvider = new MeterProvider({ readers: [reader] });
  const contextManager = new AsyncLocalStorageContextManager().enable();
  context.setGlobalContextManager(contextManager);
  trace.setGlobalTracerProvider(tracerProvider);
  metrics.setGlobalMeterProvider(meterProvider);
  propagation.setGlobalPropagator(new W3CTraceContextPropagator());
  const collect = async (): Promise<ResourceMetrics> => {
    const { resourceMetrics, errors } = await reader.collect();
    if (errors.length > 0) throw new Error(`metric collection failed: ${errors.join('; ')}`);
    return resourceMetrics;
  };
  return {
    spans: () => exporter.getFinishedSpans(),
    collect,
    async points<T>(name: string): Promise<Point<T>[]> {
      const found = (await collect()).scopeMetrics
        .flatMap((scope) => scope.metrics)
        .filter((metric) => metric.descriptor.name === name);
      return found.flatMap((metric) =>
        (metric.dataPoints as DataPoint<T>[]).map((point) => ({
          attributes: point.attributes,
          value: point.value,
        })),
      );
    },
    reset: () => exporter.reset(),
    async shutdown() {
      await tracerProvider.shutdown();
      await meterProvider.shutdown();
      contextManager.disable();
      trace.disable();
      metrics.disable();
      propagation.disable();
      context.disable();
    },
  };
}

/** A histogram point's observation count. */
export function countOf(point: Point<Histogram> | undefined): number {
  return point?.value.count ?? 0;
}
