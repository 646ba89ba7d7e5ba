import { loadModel, type LoadedModel } from './load-model.ts';

/** The outcome of a reload. */
export type ReloadResult =
  { ok: true; model: LoadedModel; previous?: string } | { ok: false; error: unknown };

/**
 * Holds the model being served. A reload loads, checks and warms the new
 * model off the request path, derives everything the swap publishes, then
 * swaps one reference: requests that already took the old model finish on
 * it. Everything that can fail runs before the swap, so a rejected reload
 * changes nothing (the old model, its metrics and its worker stay) and
 * releases what it started. Reloads run one at a time.
 */
export class ModelHolder {
  private model: LoadedModel | undefined;
  private pending: Promise<ReloadResult> | undefined;

  constructor(
    private readonly dir: string,
    private readonly hooks: {
      /**
       * Called with the loaded model before the swap: derives what the swap
       * publishes (metric values, drift reference) and throws if it cannot,
       * which rejects the reload. Returns the swap's own work, which runs just
       * after the reference changes and must not throw.
       */
      prepareSwap?: (model: LoadedModel) => () => void;
      /** Called with every reload's outcome, success or failure. */
      onResult?: (result: ReloadResult) => void;
      /** Called when a loaded model's inference worker dies (see loadModel). */
      onWorkerCrash?: (modelVersion: string, reason: string) => void;
    } = {},
  ) {}

  /** The model to serve now, or undefined before the first successful load. */
  get current(): LoadedModel | undefined {
    return this.model;
  }

  /** Loads the model folder again; concurrent calls share one load. */
  reload(): Promise<ReloadResult> {
    this.pending ??= (async (): Promise<ReloadResult> => {
      try {
        const next = await loadModel(this.dir, { onWorkerCrash: this.hooks.onWorkerCrash });
        let publish: () => void;
        try {
          publish = this.hooks.prepareSwap?.(next) ?? (() => undefined);
        } catch (error) {
          next.retire(); // nothing runs on it yet: its worker and sessions end now
          throw error;
        }
        const previous = this.model;
        this.model = next;
        publish();
        // In-flight requests may still be running on the old model: its
        // sessions and worker thread end once the runs they were given have answered.
        previous?.retire();
        return this.report({
          ok: true,
          model: next,
          ...(previous ? { previous: previous.version } : {}),
        });
      } catch (error) {
        return this.report({ ok: false, error });
      } finally {
        this.pending = undefined;
      }
    })();
    return this.pending;
  }

  private report(result: ReloadResult): ReloadResult {
    this.hooks.onResult?.(result);
    return result;
  }
}
