import { ConfigurationError } from '@housing/core/errors';
import type { RuleSet } from './rules.ts';

/** The alert that compares live RMSE with the card's test RMSE. */
export const LIVE_RMSE_ALERT = 'HousingModelLiveRmseHigh';

/** What {@link LIVE_RMSE_ALERT} is configured with, as its rule states it. */
export interface LiveRmseThresholds {
  /** Fires when live RMSE / card test RMSE is above this. */
  factor: number;
  /** Only when at least this many labelled predictions are in the window. */
  minLabelled: number;
  /** The window of the recorded live RMSE it reads, e.g. `1h`. */
  window: string;
  /** How long the condition must hold (`for:`). */
  for: string;
}

// `<live rmse record> / on (...) <card record> > FACTOR and on (...) <feedback record> >= COUNT`
const SHAPE =
  /^\s*job_model_version:model_live_rmse:ratio_increase(\w+)\s*\/\s*on\s*\([^)]*\)\s*job_model_version:model_card_rmse:max\s*>\s*([0-9.]+)\s*and\s+on\s*\([^)]*\)\s*job_model_version:model_feedback:increase(\w+)\s*>=\s*([0-9]+)\s*$/;

/**
 * The factor, minimum count, window and duration of {@link LIVE_RMSE_ALERT},
 * read from the rule: the rule file is where they are configured, so the
 * tests and any code that needs them (an end-to-end test that shifts the
 * truth past the factor) read them from there instead of keeping a copy.
 * Throws a ConfigurationError naming the rule file when the alert is missing
 * or its expression no longer has that shape.
 */
export function liveRmseThresholds(rules: RuleSet): LiveRmseThresholds {
  const rule = rules.alerts.find((a) => a.alert === LIVE_RMSE_ALERT);
  if (!rule)
    throw new ConfigurationError(`no alert ${LIVE_RMSE_ALERT}`, 'monitoring/prometheus/rules');
  const m = SHAPE.exec(rule.expr);
  if (!m || m[1] !== m[3] || rule.for === undefined)
    throw new ConfigurationError(
      `${LIVE_RMSE_ALERT}: expected "live RMSE / card RMSE > factor and labelled >= count" over one window, with a for:`,
      rule.file,
    );
  return { window: m[1]!, factor: Number(m[2]), minLabelled: Number(m[4]), for: rule.for };
}
