import type { Metric, Registry } from 'prom-client';

interface Series {
  labelValues: readonly string[];
  /** Per-bucket counts, not cumulative; the last slot is +Inf. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/** One sample as prom-client's registry formats it. */
interface Sample {
  labels: Record<string, string | number>;
  /** Printed after `labels`: prom-client's histograms put `le` first. */
  sharedLabels: Record<string, string>;
  value: number;
  metricName: string;
}

/**
 * A Prometheus histogram for the request path. prom-client's Histogram
 * validates and hashes its label object on every observe(): 0.5 to 0.7 µs,
 * a tenth of a single-row request's whole budget across the histograms it
 * feeds, and 0.44 ms for the 1,000 predictions of one batch. This one keys
 * its series by label values and finds each value's bucket in a typed array;
 * `observeAll` takes a whole batch under one series.
 *
 * The registry reads it at scrape time through get(), the call it makes on
 * its own metrics, and it scrapes exactly like a prom-client Histogram
 * (test/fast-histogram.unit.test.ts holds the two byte-equal).
 */
export class FastHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  /** Every series, in the order first observed (the scrape's order). */
  private readonly series: Series[] = [];
  /**
   * The series by label values, one Map level per label: finding one
   * allocates nothing, where a joined key would build a string per observe.
   */
  private readonly index = new Map<string, unknown>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelNames: readonly string[],
    private readonly upperBounds: readonly number[],
  ) {
    // Without labels, prom-client scrapes a zeroed series before any observation; so does this.
    if (labelNames.length === 0) this.seriesOf([]);
  }

  /** Registers on a prom-client registry; its types list only prom-client's own classes. */
  register(registry: Registry): this {
    registry.registerMetric(this as unknown as Metric);
    return this;
  }

  /** Observes one value; `labelValues` follow the label names' order. */
  observe(labelValues: readonly string[], value: number): void {
    if (Number.isNaN(value)) return;
    const series = this.seriesOf(labelValues);
    series.counts[this.bucketOf(value)]!++;
    series.sum += value;
    series.count++;
  }

  /** Observes every value under one series. NaN has no bucket and is skipped. */
  observeAll(labelValues: readonly string[], values: ArrayLike<number>): void {
    const series = this.seriesOf(labelValues);
    const { counts } = series;
    let sum = 0;
    let count = 0;
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      if (Number.isNaN(value)) continue;
      counts[this.bucketOf(value)]!++;
      sum += value;
      count++;
    }
    series.sum += sum;
    series.count += count;
  }

  /** The samples of every series: cumulative buckets, +Inf, _sum and _count. */
  get(): Promise<{
    name: string;
    help: string;
    type: string;
    aggregator: string;
    values: Sample[];
  }> {
    const values: Sample[] = [];
    const bucket = `${this.name}_bucket`;
    for (const series of this.series) {
      const sharedLabels = Object.fromEntries(
        this.labelNames.map((name, i) => [name, series.labelValues[i] ?? '']),
      );
      let cumulative = 0;
      this.upperBounds.forEach((le, i) => {
        cumulative += series.counts[i]!;
        values.push({ labels: { le }, sharedLabels, value: cumulative, metricName: bucket });
      });
      values.push(
        { labels: { le: '+Inf' }, sharedLabels, value: series.count, metricName: bucket },
        { labels: {}, sharedLabels, value: series.sum, metricName: `${this.name}_sum` },
        { labels: {}, sharedLabels, value: series.count, metricName: `${this.name}_count` },
      );
    }
    return Promise.resolve({
      name: this.name,
      help: this.help,
      type: this.type,
      aggregator: this.aggregator,
      values,
    });
  }

  /** Forgets every series (the registry's resetMetrics calls it). */
  reset(): void {
    this.series.length = 0;
    this.index.clear();
    if (this.labelNames.length === 0) this.seriesOf([]);
  }

  private seriesOf(labelValues: readonly string[]): Series {
    let level = this.index;
    const last = labelValues.length - 1;
    for (let i = 0; i < last; i++) {
      let next = level.get(labelValues[i]!) as Map<string, unknown> | undefined;
      if (!next) level.set(labelValues[i]!, (next = new Map<string, unknown>()));
      level = next;
    }
    const key = labelValues[last] ?? '';
    let series = level.get(key) as Series | undefined;
    if (!series) {
      series = {
        labelValues: [...labelValues],
        counts: new Float64Array(this.upperBounds.length + 1),
        sum: 0,
        count: 0,
      };
      level.set(key, series);
      this.series.push(series);
    }
    return series;
  }

  private bucketOf(value: number): number {
    const bounds = this.upperBounds;
    let bucket = 0;
    while (bucket < bounds.length && value > bounds[bucket]!) bucket++;
    return bucket;
  }
}
