import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Logger as Pino } from 'pino';
import type { ServiceMetrics } from '../metrics.ts';

const REQUEST_ID = /^[\w.-]{1,128}$/;
/** Routes probed every few seconds: counted in the metrics, kept out of the request log. */
const QUIET_ROUTES = new Set(['/metrics', '/healthz', '/readyz']);

/**
 * Takes the caller's `x-request-id` when it is a sane token, or makes one,
 * and echoes it on the response.
 */
export function assignRequestId(req: IncomingMessage, res: ServerResponse): string {
  const incoming = req.headers['x-request-id'];
  const id = typeof incoming === 'string' && REQUEST_ID.test(incoming) ? incoming : randomUUID();
  res.setHeader('x-request-id', id);
  return id;
}

/** What instrumenting a request needs. */
export interface InstrumentDeps {
  metrics: ServiceMetrics;
  logger: Pino;
  config: { instrumentation: boolean };
}

/**
 * Counts the request in flight and, when its response closes, observes its
 * latency under the route template `route()` gives then (never the raw URL)
 * and logs one line. Both request paths, Express and the lean prediction
 * path, go through here, so their metrics and logs are the same.
 */
export function instrumentRequest(
  deps: InstrumentDeps,
  req: IncomingMessage,
  res: ServerResponse,
  requestId: string,
  route: () => string,
): void {
  if (!deps.config.instrumentation) return;
  const { metrics, logger } = deps;
  // performance.now(), not hrtime.bigint(): a double allocates nothing per request.
  const started = performance.now();
  metrics.httpInFlight.inc();
  res.once('close', () => {
    metrics.httpInFlight.dec();
    const seconds = (performance.now() - started) / 1000;
    const template = route();
    const method = req.method ?? 'UNKNOWN';
    metrics.httpDuration.observe([method, template, String(res.statusCode)], seconds);
    if (!QUIET_ROUTES.has(template) && logger.isLevelEnabled('info')) {
      logger.info(
        {
          req_id: requestId,
          method,
          route: template,
          status: res.statusCode,
          ms: Math.round(seconds * 1e4) / 10,
        },
        'request',
      );
    }
  });
}
