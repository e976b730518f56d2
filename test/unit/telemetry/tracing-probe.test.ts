import * as api from '@opentelemetry/api';
import {
  BasicTracerProvider,
  InMemorySpanExporter,
  SimpleSpanProcessor,
} from '@opentelemetry/sdk-trace-base';
import { afterEach, describe, expect, it } from 'vitest';
import { validateIamOptions } from '../../../src/config/validate-options.js';
import { IamTelemetry } from '../../../src/telemetry/iam-telemetry.js';
import { tracingProbe } from '../../../src/telemetry/otel-api.js';
import { upstreamTracer } from '../../../src/telemetry/upstream-span.js';
import { oathkeeperTenant, withTenant } from '../config/fixtures.js';

function registerTracer(): InMemorySpanExporter {
  const exporter = new InMemorySpanExporter();
  api.trace.setGlobalTracerProvider(
    new BasicTracerProvider({ spanProcessors: [new SimpleSpanProcessor(exporter)] }),
  );
  return exporter;
}

afterEach(() => {
  api.trace.disable();
});

describe('tracingProbe', () => {
  it('answers false while no tracer provider is registered', () => {
    expect(tracingProbe(api)()).toBe(false);
  });

  it('answers true once a provider is registered, after the probe was made too', () => {
    const probe = tracingProbe(api);
    registerTracer();
    expect(probe()).toBe(true);
  });

  it('answers true for a provider registered before the probe was made', () => {
    registerTracer();
    expect(tracingProbe(api)()).toBe(true);
  });

  // The same as the tracer taken with it: both follow the proxy of the moment they were made.
  it('answers false after the API was reset and a provider registered on the new proxy', () => {
    const probe = tracingProbe(api);
    const tracer = api.trace.getTracer('probe-test');
    api.trace.disable();
    registerTracer();
    expect(probe()).toBe(false);
    expect(tracer.startSpan('x').isRecording()).toBe(false);
  });
});

describe('upstreamTracer', () => {
  it('records the spans of a provider registered after the tracer was made', () => {
    const tracer = upstreamTracer(
      api,
      api.trace.getTracer('probe-test'),
      tracingProbe(api),
      undefined,
      undefined,
      'default',
    );
    tracer.start('replay', 'before').end();
    const exporter = registerTracer();
    tracer.start('replay', 'after').end();
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['after']);
  });
});

describe('IamTelemetry', () => {
  const options = validateIamOptions(withTenant(oathkeeperTenant()));

  it('records the decision spans of a provider registered after the module was made', async () => {
    const telemetry = new IamTelemetry(options);
    await telemetry.authenticate('default', async () => undefined);
    const exporter = registerTracer();
    await telemetry.authenticate('default', async () => undefined);
    expect(exporter.getFinishedSpans().map((span) => span.name)).toEqual(['iam.authenticate']);
  });

  it('runs the authentication as it is while nothing records', () => {
    const telemetry = new IamTelemetry(options);
    expect(telemetry.authenticate('default', () => 'identity')).toBe('identity');
  });
});
