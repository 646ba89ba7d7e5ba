import type { Cooldown } from './cooldown.ts';

/** What became of one notification's request to dispatch for its group. */
export type GroupOutcome =
  /** This notification's dispatch went through; the cool-down starts now. */
  | { kind: 'sent' }
  /** The group dispatched within its cool-down; nothing was sent. */
  | { kind: 'cooling-down'; remainingMs: number }
  /** A notification of the same group was dispatching: it went through for both. */
  | { kind: 'joined' };

/**
 * One dispatch per alert group and cool-down, however notifications overlap.
 * The cool-down starts only once GitHub has accepted the dispatch, so a
 * failed or hanging call never silences the retries that would fix it. A
 * notification that arrives while its group is dispatching waits for that
 * call instead of sending its own, and shares its outcome: when that call
 * fails, every waiting notification fails too (502/503), so Alertmanager
 * retries each of them and none is told "done" for a retrain that was lost.
 */
export class OncePerGroup {
  private readonly inFlight = new Map<string, Promise<void>>();

  constructor(private readonly cooldown: Cooldown) {}

  /** Calls `send` for `key` unless the group is cooling down or sending; rejects with its error. */
  async run(key: string, send: () => Promise<void>): Promise<GroupOutcome> {
    const pending = this.inFlight.get(key);
    if (pending) {
      await pending;
      return { kind: 'joined' };
    }
    const remainingMs = this.cooldown.remaining(key);
    if (remainingMs > 0) return { kind: 'cooling-down', remainingMs };
    // Settled in the same step as the cool-down is recorded, so no caller
    // ever sees the group neither sending nor cooling down after a success.
    const attempt = send().then(
      () => {
        this.cooldown.record(key);
        this.inFlight.delete(key);
      },
      (error: unknown) => {
        this.inFlight.delete(key);
        throw error;
      },
    );
    this.inFlight.set(key, attempt);
    await attempt;
    return { kind: 'sent' };
  }
}
