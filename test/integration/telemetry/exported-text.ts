import type { OtelSdk } from './otel-sdk.js';

/**
 * Everything the SDK would export, as one string: every span's name, attributes, events and
 * status message, every metric's name, description and data-point attributes.
 */
export async function exportedText(sdk: OtelSdk): Promise<string> {
  const spans = sdk.spans().map((span) => ({
    name: span.name,
    attributes: span.attributes,
    events: span.events,
    status: span.status,
    links: span.links,
  }));
  const metrics = (await sdk.collect()).scopeMetrics.flatMap((scope) =>
    scope.metrics.map((metric) => ({
      descriptor: metric.descriptor,
      points: metric.dataPoints.map((point) => point.attributes),
    })),
  );
  return JSON.stringify({ spans, metrics });
}
