/**
 * Remembers when each alert group last triggered a retrain, so that one
 * group asks at most once per cool-down, however often Alertmanager repeats.
 */
export class Cooldown {
  private readonly last = new Map<string, number>();

  constructor(
    private readonly periodMs: number,
    private readonly now: () => number = Date.now,
  ) {}

  /** Milliseconds until `key` may trigger again; 0 when it may now. */
  remaining(key: string): number {
    const at = this.last.get(key);
    return at === undefined ? 0 : Math.max(0, at + this.periodMs - this.now());
  }

  /** Records that `key` triggered now (once GitHub has accepted its dispatch). */
  record(key: string): void {
    this.last.set(key, this.now());
    // Forget groups whose cool-down is long over, so the map stays small.
    for (const [k, at] of this.last) if (at + this.periodMs < this.now()) this.last.delete(k);
  }
}
