import { describe, expect, it } from 'vitest';
import { createMetrics } from '../src/metrics.ts';

describe('model_predictions_total, counted on the request path and added at scrape time', () => {
  it('reports every counted row once, per model version, however often it is scraped', async () => {
    const metrics = createMetrics();
    const scrape = async () =>
      [...(await metrics.registry.metrics()).matchAll(/^model_predictions_total\{(.*)\} (\d+)$/gm)]
        .map((m) => `${m[1]} ${m[2]}`)
        .sort();
    expect(await scrape()).toEqual([]);
    metrics.countPredictions('v1', 3);
    metrics.countPredictions('v1', 2);
    metrics.countPredictions('v2', 1);
    expect(await scrape()).toEqual(['model_version="v1" 5', 'model_version="v2" 1']);
    expect(await scrape()).toEqual(['model_version="v1" 5', 'model_version="v2" 1']);
    metrics.countPredictions('v1', 1000);
    expect(await scrape()).toEqual(['model_version="v1" 1005', 'model_version="v2" 1']);
  });
});
