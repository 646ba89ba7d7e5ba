import { DriftCounter, psi as psiOf } from '@housing/model-card/drift';
import type { ModelCard } from '@housing/model-card/schema';
import type { ServiceMetrics } from './metrics.ts';
import type { Row } from './model/row.ts';

/**
 * Online drift: the hot path only copies each row's values into a ring
 * buffer of the last `window` rows (O(features) per row, no allocation);
 * a timer, off the request path, bins the window against the card's
 * reference profile and publishes PSI per feature.
 */
export class DriftMonitor {
  private readonly features: string[];
  private readonly numeric: Map<string, Float64Array>;
  private readonly categorical: Map<string, (string | null)[]>;
  private readonly numericRings: { name: string; ring: Float64Array }[];
  private readonly categoricalRings: { name: string; ring: (string | null)[] }[];
  private next = 0;
  private filled = 0;
  private timer: NodeJS.Timeout | undefined;

  constructor(
    private readonly card: ModelCard,
    private readonly metrics: ServiceMetrics,
    private readonly window: number,
  ) {
    this.features = card.onnx.inputs
      .map((i) => i.name)
      .filter((name) => card.reference_profile.columns[name]);
    this.numeric = new Map();
    this.categorical = new Map();
    for (const name of this.features) {
      if (card.reference_profile.columns[name]!.kind === 'numeric')
        this.numeric.set(name, new Float64Array(window));
      else this.categorical.set(name, new Array<string | null>(window).fill(null));
    }
    // The same rings as arrays: the hot path loops over them without Map iterators.
    this.numericRings = [...this.numeric].map(([name, ring]) => ({ name, ring }));
    this.categoricalRings = [...this.categorical].map(([name, ring]) => ({ name, ring }));
  }

  /** Records validated rows (hot path: copies values only). */
  observe(rows: Row[]): void {
    const numeric = this.numericRings;
    const categorical = this.categoricalRings;
    let slot = this.next;
    for (const row of rows) {
      for (const { name, ring } of numeric) {
        const v = row[name];
        ring[slot] = typeof v === 'number' ? v : NaN;
      }
      for (const { name, ring } of categorical) {
        const v = row[name];
        ring[slot] = typeof v === 'string' ? v : null;
      }
      slot = slot + 1 === this.window ? 0 : slot + 1;
    }
    this.next = slot;
    this.filled = Math.min(this.window, this.filled + rows.length);
  }

  /** Bins the window and publishes PSI per feature. Returns the values. */
  compute(): Record<string, number> {
    const out: Record<string, number> = {};
    if (this.filled === 0) return out;
    for (const name of this.features) {
      const counter = new DriftCounter(name, this.card.reference_profile.columns[name]!);
      const numeric = this.numeric.get(name);
      const categorical = this.categorical.get(name);
      for (let i = 0; i < this.filled; i++)
        counter.add(numeric ? (Number.isNaN(numeric[i]!) ? null : numeric[i]!) : categorical![i]!);
      // PSI for every feature, categories included, so one gauge and one threshold cover all.
      const result = counter.result({
        psi_warn: Infinity,
        psi_fail: Infinity,
        category_shift_warn: Infinity,
        category_shift_fail: Infinity,
      });
      const value =
        result.kind === 'numeric'
          ? result.value
          : psiOf(result.reference_shares, result.current_shares);
      out[name] = value;
      this.metrics.featureDrift.set({ feature: name }, value);
    }
    this.metrics.driftTimestamp.set(Date.now() / 1000);
    return out;
  }

  /** Recomputes every `intervalMs`, on an unref'd timer. */
  start(intervalMs: number): void {
    this.timer = setInterval(() => this.compute(), intervalMs);
    this.timer.unref();
  }

  stop(): void {
    if (this.timer) clearInterval(this.timer);
  }
}
