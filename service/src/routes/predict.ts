import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AppDeps } from '../deps.ts';
import { HttpError, ProblemList, sendError } from '../http/errors.ts';
import { assignRequestId, instrumentRequest } from '../http/instrument.ts';
import { readJsonBody } from '@housing/core/http-body';
import { sendJson } from '../http/respond.ts';
import type { DriftMonitor } from '../drift-monitor.ts';
import type { ServiceMetrics } from '../metrics.ts';
import type { LoadedModel } from '../model/load-model.ts';
import type { Row } from '../model/row.ts';
import { bodyBudget, checkRow } from './check-row.ts';

/** Handles a request if it is one of ours and returns true; otherwise leaves it alone. */
export type RouteHandler = (req: IncomingMessage, res: ServerResponse) => boolean;

/**
 * The two prediction routes on plain node:http, without Express: they are
 * the hot path, and Express's router, body parser and response helpers cost
 * about four times what a bare server spends on a request (BENCHMARKS.md).
 * Request ids, metrics, logs and errors go through the same functions the
 * Express routes use, so a client or a dashboard cannot tell the paths apart.
 */
export function createPredictRoutes(deps: AppDeps): RouteHandler {
  const routes = new Map<string, (body: unknown, requestId: string) => Promise<unknown>>([
    ['/v1/predict', (body, requestId) => predictOne(deps, body, requestId)],
    ['/v1/predict/batch', (body, requestId) => predictBatch(deps, body, requestId)],
  ]);
  return (req, res) => {
    const route = routeOf(req.url ?? '');
    const handle = routes.get(route);
    if (!handle) return false;
    const requestId = assignRequestId(req, res);
    instrumentRequest(deps, req, res, requestId, () => route);
    if (req.method !== 'POST') {
      // The route exists, the method does not: 405 names the one that does (RFC 9110 15.5.6).
      res.setHeader('allow', 'POST');
      const method = req.method ?? 'this method';
      sendError(
        res,
        new HttpError(405, `${method} is not allowed on ${route}: use POST`),
        requestId,
        deps.logger,
      );
      return true;
    }
    const model = deps.holder.current;
    if (!model) {
      // No model, no body budget, and nothing to predict with: the body is read to its
      // end and discarded, never parsed, and the request then answered 503. (A client
      // that stops sending meets the request timeout, as on any other request.)
      req.resume();
      req.once('end', () =>
        sendError(res, new HttpError(503, 'no model loaded yet'), requestId, deps.logger),
      );
      return true;
    }
    readJsonBody(req, deps.config.bodyLimitBytes, bodyBudget(model, deps.config.maxBatchRows))
      .then((body) => handle(body, requestId))
      .then(
        (answer) => sendJson(res, 200, answer),
        (error: unknown) => sendError(res, error, requestId, deps.logger),
      );
    return true;
  };
}

async function predictOne(deps: AppDeps, row: unknown, requestId: string) {
  const model = currentModel(deps);
  if (!isObject(row)) {
    throw new HttpError(
      400,
      'the body must be one JSON object of features; send batches to /v1/predict/batch',
      [{ path: '', message: 'must be object' }],
    );
  }
  const problems = new ProblemList();
  checkRow(model, row, '', problems);
  if (!problems.empty) throw problems.toError('the body breaks the input contract');
  const predictions = await predict(deps, model, [row]);
  const id = randomUUID();
  deps.predictionLog?.record(requestId, model.version, [row], predictions, [id]);
  return {
    prediction: predictions[0],
    prediction_id: id,
    model_version: model.version,
    request_id: requestId,
  };
}

async function predictBatch(deps: AppDeps, body: unknown, requestId: string) {
  const model = currentModel(deps);
  const { maxBatchRows } = deps.config;
  const instances = isObject(body) ? body.instances : undefined;
  if (!Array.isArray(instances)) {
    throw new HttpError(400, 'the body must be {"instances": [rows]}', [
      { path: '/instances', message: 'must be array' },
    ]);
  }
  if (instances.length === 0)
    throw new HttpError(400, 'the batch is empty', [
      { path: '/instances', message: 'must NOT have fewer than 1 items' },
    ]);
  if (instances.length > maxBatchRows) {
    throw new HttpError(
      400,
      `the batch has ${instances.length} rows; the limit is ${maxBatchRows}`,
      [{ path: '/instances', message: `must NOT have more than ${maxBatchRows} items` }],
    );
  }
  const problems = new ProblemList();
  for (let i = 0; i < instances.length && !problems.full; i++) {
    const row: unknown = instances[i];
    if (!isObject(row)) problems.add(`/instances/${i}`, 'must be object');
    else checkRow(model, row, `/instances/${i}`, problems);
  }
  if (!problems.empty) throw problems.toError('the body breaks the input contract');
  const rows = instances as Row[];
  const predictions = await predict(deps, model, rows);
  const ids = predictionIds(rows.length);
  deps.predictionLog?.record(requestId, model.version, rows, predictions, ids);
  return {
    predictions: Array.from(predictions),
    prediction_ids: ids,
    model_version: model.version,
    request_id: requestId,
  };
}

/**
 * One id per predicted row, for POST /v1/feedback: random UUIDs made here,
 * never derived from the client's request id, which a client chooses and
 * could repeat or forge to label someone else's prediction.
 */
function predictionIds(rows: number): string[] {
  const ids = new Array<string>(rows);
  for (let i = 0; i < rows; i++) ids[i] = randomUUID();
  return ids;
}

/**
 * The route a request URL names, matched as Express matches every other
 * route of the service (case-insensitive, one optional trailing slash), so
 * that POST /v1/predict/ predicts and GET /V1/PREDICT gets 405, not 404.
 * The result is the route's template, the only label the metrics see.
 */
function routeOf(url: string): string {
  const query = url.indexOf('?');
  let path = query === -1 ? url : url.slice(0, query);
  if (path.length > 1 && path.endsWith('/')) path = path.slice(0, -1);
  // Only paths as long as a route are lowered: a long path is not ours, and costs nothing.
  return path.length <= ROUTE_MAX_LENGTH ? path.toLowerCase() : path;
}

const ROUTE_MAX_LENGTH = '/v1/predict/batch'.length;

function isObject(value: unknown): value is Row {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function currentModel(deps: AppDeps): LoadedModel {
  const model = deps.holder.current;
  if (!model) throw new HttpError(503, 'no model loaded yet');
  return model;
}

/** Runs validated rows through the model and records the prediction metrics and drift. */
async function predict(deps: AppDeps, model: LoadedModel, rows: Row[]): Promise<Float32Array> {
  const started = performance.now();
  const predictions = await model.predict(rows);
  if (deps.config.instrumentation) {
    const seconds = (performance.now() - started) / 1000;
    recordPrediction(deps.metrics, deps.drift(), model.version, rows, predictions, seconds);
  }
  return predictions;
}

const NO_LABELS: readonly string[] = [];

/**
 * What one prediction request adds to the metrics and the drift window.
 * Exported for bench:service, which times it on its own.
 */
export function recordPrediction(
  metrics: ServiceMetrics,
  drift: DriftMonitor | undefined,
  modelVersion: string,
  rows: Row[],
  predictions: Float32Array,
  seconds: number,
): void {
  const version = [modelVersion];
  metrics.inferenceDuration.observe(version, seconds);
  metrics.countPredictions(modelVersion, rows.length);
  metrics.inputRows.observe(NO_LABELS, rows.length);
  metrics.predictionValue.observeAll(version, predictions);
  drift?.observe(rows);
}
