import type { Metric, Registry } from 'prom-client';

interface Series {
  labelValue: string;
  /** Per-bucket counts, not cumulative; the last slot is +Inf. */
  counts: Float64Array;
  sum: number;
  count: number;
}

/** One sample as prom-client's registry formats it. */
interface Sample {
  labels: Record<string, string | number>;
  /** Printed after `labels`: prom-client's histograms put `le` first. */
  sharedLabels?: Record<string, string>;
  value: number;
  metricName: string;
}

/**
 * A Prometheus histogram with one label, observed a batch of values at a
 * time. prom-client's Histogram validates and hashes its labels on every
 * observe(), about 0.4 µs a value: an eighth of the cost of serving a
 * 1,000-row batch. This one finds each value's bucket in a typed array.
 *
 * The registry reads it at scrape time through get(), the call it makes on
 * its own metrics, so it scrapes exactly like a prom-client Histogram.
 */
export class BatchHistogram {
  readonly type = 'histogram';
  readonly aggregator = 'sum';
  private readonly series = new Map<string, Series>();

  constructor(
    readonly name: string,
    readonly help: string,
    private readonly labelName: string,
    private readonly upperBounds: readonly number[],
  ) {}

  /** Registers on a prom-client registry; its types list only prom-client's own classes. */
  register(registry: Registry): this {
    registry.registerMetric(this as unknown as Metric);
    return this;
  }

  /** Observes every value under one label value. NaN has no bucket and is skipped. */
  observeAll(labelValue: string, values: ArrayLike<number>): void {
    let series = this.series.get(labelValue);
    if (!series) {
      series = {
        labelValue,
        counts: new Float64Array(this.upperBounds.length + 1),
        sum: 0,
        count: 0,
      };
      this.series.set(labelValue, series);
    }
    const bounds = this.upperBounds;
    const { counts } = series;
    let sum = 0;
    let count = 0;
    for (let i = 0; i < values.length; i++) {
      const value = values[i]!;
      if (Number.isNaN(value)) continue;
      let bucket = 0;
      while (bucket < bounds.length && value > bounds[bucket]!) bucket++;
      counts[bucket]!++;
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
    for (const series of this.series.values()) {
      const sharedLabels = { [this.labelName]: series.labelValue };
      const bucket = `${this.name}_bucket`;
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
    this.series.clear();
  }
}
