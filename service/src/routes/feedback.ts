import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js';
import type { NextFunction, Request, Response } from 'express';
import type { ModelCard } from '@housing/model-card/schema';
import { readJsonBody, type BodyBudget } from '@housing/core/http-body';
import {
  recordFeedback,
  type FeedbackItem,
  type FeedbackOutcome,
} from '@housing/prediction-store/queries';
import type { AppDeps } from '../deps.ts';
import { HttpError, ProblemList } from '../http/errors.ts';
import { requireBearer } from '../http/bearer.ts';

/** The longest prediction id accepted: ours are UUIDs (36 characters). */
const MAX_ID_CHARS = 64;

/**
 * The bound on |actual| when the card has no target_contract (cards written
 * before it existed): without one, 1e308 was recorded and then its squared
 * error overflowed the live-accuracy counters. Within it, every error and
 * its square stay finite and exact enough to sum.
 */
export const UNBOUNDED_ACTUAL_LIMIT = Number.MAX_SAFE_INTEGER;

/** Why an unknown id may still become known: the answer and the README say the same. */
export const NOT_YET_WRITTEN =
  'no prediction has this id: it is unknown, expired, or not written yet (the log writes predictions in batches, up to PREDICTION_LOG_FLUSH_MS after the answer): retry later';

/** One item's result in a batch answer; the single form answers with its status. */
interface ItemResult {
  id: string;
  status: 200 | 404 | 409;
  /** `recorded` (new), `duplicate` (same value again), or why not. */
  result: 'recorded' | 'duplicate' | 'unknown' | 'conflict';
  message?: string;
}

/**
 * POST /v1/feedback: ground truth for logged predictions, `{id, actual}` or
 * `{items: [{id, actual}, ...]}` (up to MAX_BATCH_ROWS). A body with any bad
 * item is refused whole (400, each problem by JSON Pointer), so nothing is
 * half-recorded; a valid batch answers 200 with one result per item, in order.
 * Each new value adds to the live-accuracy counters of the model that made
 * the prediction, with the output it answered.
 */
export function createFeedbackRoute(deps: AppDeps) {
  const { config } = deps;
  const budget: BodyBudget = {
    colons: 1 + config.maxBatchRows * 2,
    containers: 2 + config.maxBatchRows,
    largest: `${config.maxBatchRows} feedback items`,
  };
  return async (req: Request, res: Response, next: NextFunction): Promise<void> => {
    try {
      requireBearer(req, res, config.feedbackToken, 'feedback', 'FEEDBACK_TOKEN');
      const log = deps.predictionLog;
      if (!log)
        throw new HttpError(
          503,
          'the prediction log is off (PREDICTION_LOG=off): there are no predictions to attach ground truth to',
        );
      const body = await readJsonBody(req, config.bodyLimitBytes, budget);
      const { items, single } = parseFeedback(body, deps.holder.current?.card, config.maxBatchRows);
      let outcomes: FeedbackOutcome[];
      try {
        outcomes = await recordFeedback(log.db, items);
      } catch (error) {
        deps.logger.warn(
          { req_id: req.id, store: log.db.where, code: (error as { code?: unknown }).code },
          'feedback: the store failed',
        );
        throw new HttpError(503, 'the prediction log store is unavailable: retry later');
      }
      const results = outcomes.map((outcome) => resultOf(deps, outcome, items));
      if (single) {
        const [result] = results as [ItemResult];
        if (result.status !== 200) throw new HttpError(result.status, result.message ?? '');
        res.json({ id: result.id, result: result.result, request_id: req.id });
      } else res.json({ results, request_id: req.id });
    } catch (error) {
      next(error);
    }
  };
}

/** The answer for one outcome; a new value also moves the live-accuracy counters. */
function resultOf(
  deps: AppDeps,
  outcome: FeedbackOutcome,
  items: readonly FeedbackItem[],
): ItemResult {
  const { id } = outcome;
  switch (outcome.status) {
    case 'recorded': {
      const actual = items.find((item) => item.id === id)!.actual;
      const error = outcome.output - actual;
      const labels = { model_version: outcome.model_version };
      // A stored output beyond float range cannot be scored; prom-client would
      // throw on a non-finite increment after the value was already recorded.
      if (!Number.isFinite(error * error)) {
        deps.logger.warn(
          { model_version: outcome.model_version },
          'feedback: recorded, but its error is not finite, so live accuracy skips it',
        );
        return { id, status: 200, result: 'recorded' };
      }
      deps.metrics.feedback.inc(labels);
      deps.metrics.feedbackSquaredError.inc(labels, error * error);
      deps.metrics.feedbackAbsoluteError.inc(labels, Math.abs(error));
      return { id, status: 200, result: 'recorded' };
    }
    case 'duplicate':
      return { id, status: 200, result: 'duplicate' };
    case 'unknown':
      return { id, status: 404, result: 'unknown', message: NOT_YET_WRITTEN };
    case 'conflict':
      return {
        id,
        status: 409,
        result: 'conflict',
        message: `this prediction already has another actual value (${outcome.stored}), which stays: ground truth is recorded once`,
      };
  }
}

/** The items of a feedback body, every problem named by JSON Pointer (400). */
function parseFeedback(
  body: unknown,
  card: ModelCard | undefined,
  maxItems: number,
): { items: FeedbackItem[]; single: boolean } {
  if (!isObject(body))
    throw new HttpError(400, 'the body must be {"id", "actual"} or {"items": [...]}', [
      { path: '', message: 'must be object' },
    ]);
  const problems = new ProblemList();
  const check = actualChecker(card);
  if (!('items' in body)) {
    const item = parseItem(body, '', check, problems);
    if (!problems.empty || !item) throw problems.toError('the feedback is not valid');
    return { items: [item], single: true };
  }
  const { items } = body;
  if (!Array.isArray(items) || items.length === 0 || items.length > maxItems)
    throw new HttpError(400, `items must be an array of 1 to ${maxItems} {id, actual}`, [
      { path: '/items', message: `must be an array of 1 to ${maxItems} items` },
    ]);
  const unknownKey = Object.keys(body).find((key) => key !== 'items');
  if (unknownKey !== undefined) problems.add(`/${pointerToken(unknownKey)}`, 'is not allowed');
  const parsed: FeedbackItem[] = [];
  const seen = new Map<string, number>();
  for (let i = 0; i < items.length && !problems.full; i++) {
    const item = parseItem(items[i], `/items/${i}`, check, problems);
    if (!item) continue;
    const first = seen.get(item.id);
    if (first !== undefined) problems.add(`/items/${i}/id`, `repeats /items/${first}/id`);
    else seen.set(item.id, i);
    parsed.push(item);
  }
  if (!problems.empty) throw problems.toError('the feedback is not valid; nothing was recorded');
  return { items: parsed, single: false };
}

function parseItem(
  value: unknown,
  path: string,
  check: (actual: number) => string[],
  problems: ProblemList,
): FeedbackItem | undefined {
  if (!isObject(value)) {
    problems.add(path, 'must be object');
    return undefined;
  }
  let ok = true;
  const fail = (at: string, message: string): false => {
    problems.add(at, message);
    return false;
  };
  const { id, actual } = value;
  for (const key of Object.keys(value))
    if (key !== 'id' && key !== 'actual')
      ok = fail(`${path}/${pointerToken(key)}`, 'is not allowed');
  if (typeof id !== 'string' || id.length === 0 || id.length > MAX_ID_CHARS)
    ok = fail(`${path}/id`, `must be a prediction id (1 to ${MAX_ID_CHARS} characters)`);
  if (typeof actual !== 'number' || !Number.isFinite(actual))
    ok = fail(`${path}/actual`, 'must be a finite number');
  else for (const message of check(actual)) ok = fail(`${path}/actual`, message);
  return ok ? { id: id as string, actual: actual as number } : undefined;
}

/** Compiled target contracts, per card: compiled at the first feedback for that model. */
const checkers = new WeakMap<ModelCard, (actual: number) => string[]>();

/**
 * What is wrong with an actual value under the card's target contract (its
 * bounds, from the data contract); with no card, or a card without one, any
 * finite number within ±{@link UNBOUNDED_ACTUAL_LIMIT} passes.
 */
function actualChecker(card: ModelCard | undefined): (actual: number) => string[] {
  if (!card?.target_contract) return unboundedCheck;
  let checker = checkers.get(card);
  if (!checker) {
    let validate: ValidateFunction;
    try {
      validate = new Ajv2020({ allErrors: true, strict: false }).compile(card.target_contract);
    } catch {
      throw new HttpError(503, "the model card's target_contract is not a valid JSON Schema");
    }
    checker = (actual) =>
      validate(actual) ? [] : (validate.errors ?? []).map((e) => e.message ?? 'is not valid');
    checkers.set(card, checker);
  }
  return checker;
}

function unboundedCheck(actual: number): string[] {
  return Math.abs(actual) <= UNBOUNDED_ACTUAL_LIMIT
    ? []
    : [
        `must be between -${UNBOUNDED_ACTUAL_LIMIT} and ${UNBOUNDED_ACTUAL_LIMIT} (the model card has no target_contract to bound it; a retrained model's card has one)`,
      ];
}

function isObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

/** A key as a JSON Pointer token (RFC 6901). */
function pointerToken(key: string): string {
  return key.replaceAll('~', '~0').replaceAll('/', '~1');
}
