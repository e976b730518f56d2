/**
 * The example's Grafana dashboard and Prometheus config against what the library exports: a
 * renamed metric or a Prometheus name with a unit suffix the exporter does not write would leave
 * a panel empty without any error.
 */
import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import * as names from '../../../src/telemetry/telemetry-names.js';

const exampleDir = new URL('../../../examples/zero-trust/', import.meta.url);
const read = (file: string) => readFileSync(new URL(file, exampleDir), 'utf8');

/** The series names `@opentelemetry/exporter-prometheus` writes for the library's metrics. */
function exportedSeries(): Set<string> {
  const series = new Set<string>();
  const histograms = [names.METRIC_VERIFICATION_DURATION, names.METRIC_UPSTREAM_DURATION];
  const counters = [
    names.METRIC_DECISIONS,
    names.METRIC_DECISION_CACHE_LOOKUPS,
    names.METRIC_REPLAY_REFUSALS,
  ];
  for (const [key, metric] of Object.entries(names)) {
    if (!key.startsWith('METRIC_') || typeof metric !== 'string') continue;
    const base = metric.replaceAll('.', '_');
    if (histograms.includes(metric)) {
      for (const suffix of ['_bucket', '_sum', '_count']) series.add(base + suffix);
    } else {
      series.add(counters.includes(metric) ? `${base}_total` : base);
    }
  }
  return series;
}

interface Panel {
  readonly title: string;
  readonly targets: readonly { readonly expr: string }[];
}

describe('examples/zero-trust Grafana dashboard and prometheus.yml', () => {
  const dashboard = JSON.parse(read('grafana-dashboard.json')) as { panels: Panel[] };

  it('queries only series the library exports, in every panel', () => {
    const known = exportedSeries();
    const used = new Set<string>();
    for (const panel of dashboard.panels) {
      // A series is selected with its labels (every query filters on the tenant variable); the
      // other iam_* words are label names.
      const series = panel.targets.flatMap((target) =>
        [...target.expr.matchAll(/\b(iam_\w+)\{/g)].map((match) => match[1] as string),
      );
      expect(series.length, panel.title).toBeGreaterThan(0);
      for (const name of series) {
        expect(known.has(name), `${panel.title}: ${name}`).toBe(true);
        used.add(name);
      }
    }
    // The panels: decisions by code, upstream latency, breaker state, JWKS age.
    for (const name of [
      'iam_decisions_total',
      'iam_upstream_duration_bucket',
      'iam_upstream_breaker_state',
      'iam_jwks_refresh_age',
    ]) {
      expect(used.has(name), name).toBe(true);
    }
  });

  it('scrapes the metrics ports the example gives its apps', () => {
    const targets = [...read('prometheus.yml').matchAll(/host\.docker\.internal:(\d+)/g)];
    expect(targets.map((match) => match[1])).toEqual(['9464', '9465', '9466']);
    expect(read('support/zero-trust-stack.ts')).toContain('[3000, 3001, 3002, 9464, 9465, 9466');
  });
});
