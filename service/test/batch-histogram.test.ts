import { Histogram, Registry } from 'prom-client';
import { describe, expect, it } from 'vitest';
import { BatchHistogram } from '../src/batch-histogram.ts';

const BUCKETS = [100, 200.5, 300];

/** What prom-client's Histogram scrapes after observing each batch's values one by one. */
async function promClientScrape(
  batches: [string, number[]][],
  convert: (values: number[]) => ArrayLike<number>,
): Promise<string> {
  const registry = new Registry();
  const histogram = new Histogram({
    name: 'model_prediction_value',
    help: 'Predicted values.',
    labelNames: ['model_version'],
    buckets: BUCKETS,
    registers: [registry],
  });
  for (const [version, values] of batches)
    for (const value of Array.from(convert(values)))
      histogram.observe({ model_version: version }, value);
  return registry.metrics();
}

describe('BatchHistogram', () => {
  it("scrapes exactly as prom-client's Histogram does for the same observations", async () => {
    const batches: [string, number[]][] = [
      ['v1', [50, 100, 100.0001, 200.5, 250, 300, 301, 1e9, -5]],
      ['v2', [150]],
      ['v1', [299.99, 0]],
    ];
    const registry = new Registry();
    const batched = new BatchHistogram(
      'model_prediction_value',
      'Predicted values.',
      'model_version',
      BUCKETS,
    ).register(registry);
    for (const [version, values] of batches) batched.observeAll(version, Float32Array.from(values));

    // prom-client's own Histogram, fed one value at a time: as given, and rounded to float32
    // as the model's predictions are (the rounding changes the sums, not the buckets).
    const reference = await promClientScrape(batches, (values) => values);
    const rounded = await promClientScrape(batches, (values) => Float32Array.from(values));
    expect(await registry.metrics()).toBe(rounded);
    const buckets = (text: string) => text.split('\n').filter((l) => l.includes('_bucket'));
    expect(buckets(await registry.metrics())).toEqual(buckets(reference));
  });

  it('skips NaN, which has no bucket, and forgets everything on reset', async () => {
    const registry = new Registry();
    const batched = new BatchHistogram('x', 'help', 'model_version', BUCKETS).register(registry);
    batched.observeAll('v1', [NaN, 1]);
    expect(await registry.metrics()).toContain('x_count{model_version="v1"} 1');
    registry.resetMetrics();
    expect(await registry.metrics()).not.toContain('x_count');
    registry.removeSingleMetric('x');
    expect(registry.getSingleMetric('x')).toBeUndefined();
  });
});
