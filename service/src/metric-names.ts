import { createMetrics } from './metrics.ts';

/** Every series name the service exports (histograms expanded to _bucket, _sum and _count). */
export async function serviceSeriesNames(): Promise<Set<string>> {
  const { registry } = createMetrics();
  const names = new Set<string>();
  for (const metric of await registry.getMetricsAsJSON()) {
    names.add(metric.name);
    if (String(metric.type) === 'histogram')
      for (const suffix of ['_bucket', '_sum', '_count']) names.add(metric.name + suffix);
  }
  return names;
}
