import { loadModel, type LoadedModel } from './load-model.ts';

/** The outcome of a reload. */
export type ReloadResult =
  { ok: true; model: LoadedModel; previous?: string } | { ok: false; error: unknown };

/**
 * Holds the model being served. A reload loads, checks and warms the new
 * model off the request path, then swaps one reference: requests that already
 * took the old model finish on it. A failed load leaves the old one serving.
 * Reloads run one at a time.
 */
export class ModelHolder {
  private model: LoadedModel | undefined;
  private pending: Promise<ReloadResult> | undefined;

  constructor(
    private readonly dir: string,
    private readonly hooks: {
      /** Called with the new model just after the swap. */
      onSwap?: (model: LoadedModel, previous: LoadedModel | undefined) => void;
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
        const previous = this.model;
        this.model = next;
        this.hooks.onSwap?.(next, previous);
        // The old session is left to the garbage collector, not released:
        // in-flight requests may still be running on it. Its worker thread
        // stops once the runs it has been given have answered.
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
