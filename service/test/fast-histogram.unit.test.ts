import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { FastHistogram } from '../src/fast-histogram.ts';

const BUCKETS = [100, 200.5, 300];

/** Observations: label values (in label-name order) and the values observed under them. */
type Observations = [string[], number[]][];

/** What prom-client's Histogram scrapes after observing every value one by one. */
async function promClientScrape(labelNames: string[], observations: Observations) {
  const registry = new Registry();
  const histogram = new Histogram({
    name: 'x_seconds',
    help: 'Help.',
    labelNames,
    buckets: BUCKETS,
    registers: [registry],
  });
  for (const [labelValues, values] of observations) {
    const labels = Object.fromEntries(labelNames.map((name, i) => [name, labelValues[i]!]));
    for (const value of values) histogram.observe(labels, value);
  }
  return registry.metrics();
}

function fastHistogram(labelNames: string[]) {
  const registry = new Registry();
  const histogram = new FastHistogram('x_seconds', 'Help.', labelNames, BUCKETS).register(registry);
  return { registry, histogram };
}

describe("FastHistogram scrapes exactly as prom-client's Histogram does", () => {
  it('for values observed one by one under three labels, on and between bucket bounds', async () => {
    const labelNames = ['method', 'route', 'status_code'];
    const observations: Observations = [
      [
        ['POST', '/v1/predict', '200'],
        [50, 100, 100.0001, 200.5, 250, 300, 301, 1e9, -5],
      ],
      [['GET', 'unmatched', '404'], [150]],
      [
        ['POST', '/v1/predict', '200'],
        [299.99, 0],
      ],
    ];
    const { registry, histogram } = fastHistogram(labelNames);
    for (const [labelValues, values] of observations)
      for (const value of values) histogram.observe(labelValues, value);
    expect(await registry.metrics()).toBe(await promClientScrape(labelNames, observations));
  });

  it('for whole batches of float32 predictions under one label', async () => {
    const observations: Observations = [
      [['v1'], Array.from(Float32Array.from([50, 100, 100.0001, 200.5, 250, 301, 1e9]))],
      [['v2'], [150]],
      [['v1'], Array.from(Float32Array.from([299.99, 0]))],
    ];
    const { registry, histogram } = fastHistogram(['model_version']);
    for (const [labelValues, values] of observations)
      histogram.observeAll(labelValues, Float32Array.from(values));
    expect(await registry.metrics()).toBe(await promClientScrape(['model_version'], observations));
  });

  it('without labels: a zeroed series before any observation and after a reset', async () => {
    const { registry, histogram } = fastHistogram([]);
    expect(await registry.metrics()).toBe(await promClientScrape([], []));
    histogram.observe([], 150);
    histogram.observe([], 1e6);
    expect(await registry.metrics()).toBe(await promClientScrape([], [[[], [150, 1e6]]]));
    registry.resetMetrics();
    expect(await registry.metrics()).toBe(await promClientScrape([], []));
  });

  it('skips NaN, which has no bucket, and forgets everything on reset', async () => {
    const { registry, histogram } = fastHistogram(['model_version']);
    histogram.observeAll(['v1'], [NaN, 1]);
    histogram.observe(['v1'], NaN);
    expect(await registry.metrics()).toContain('x_seconds_count{model_version="v1"} 1');
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('x_seconds_count');
    registry.removeSingleMetric('x_seconds');
    expect(registry.getSingleMetric('x_seconds')).toBeUndefined();
  });
});
