import { randomUUID } from 'node:crypto';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { Socket } from 'node:net';
import type { Logger as Pino } from 'pino';
import { errnoCode } from '@housing/core/errors';
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

/**
 * The methods the latency metric names; every other is counted as "other".
 * Node's parser accepts 34 methods (PROPFIND, MKCALENDAR, LINK...), and each
 * one a client sends to each route would otherwise be a series of its own,
 * 15 lines apiece, kept in /metrics for the life of the process. The log
 * line still names the method as it was sent.
 */
const METHOD_LABELS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS']);

/** The method as the metrics label it: one of METHOD_LABELS, or "other". */
function methodLabel(method: string): string {
  return METHOD_LABELS.has(method) ? method : 'other';
}

/** The code of the error a socket is destroyed with when the service itself cuts a request. */
const CUT_BY_SERVICE = 'ERR_SERVICE_CUT_REQUEST';

/**
 * The error to destroy a socket with when the service gives up on the
 * requests in flight on it (shutdown's deadline): they are counted as 503,
 * the service's failure, not as a client that left.
 */
export function cutByService(): Error {
  return Object.assign(new Error('request cut by the service'), { code: CUT_BY_SERVICE });
}

/**
 * The status a request is counted and logged under: the one sent when the
 * response went out in full, otherwise what really happened to it.
 *
 * - 408: Node's own `requestTimeout`/`headersTimeout` cut it; Node writes
 *   "408 Request Timeout" to the socket itself, past every listener.
 * - 400: Node's parser rejected the rest of the request (bad chunked framing,
 *   say) and wrote "400 Bad Request" itself.
 * - 503: the service cut it (see cutByService).
 * - 499 (nginx's "client closed request"): anything else; the client reset
 *   the connection, closed it, or closed its sending side before the answer
 *   was out (even after sending the whole request: see watchDelivery) (Node then aborts the request: HPE_INVALID_EOF_STATE when the
 *   body was incomplete). Nothing reached a client that had given up.
 */
export function sentStatus(res: ServerResponse, socket: Socket): number {
  // The whole response was handed to the kernel while the connection could still
  // carry it, not merely end() called (see watchDelivery).
  if (delivered.has(res)) return res.statusCode;
  const code = errnoCode(socket.errored);
  if (code === 'ERR_HTTP_REQUEST_TIMEOUT') return 408;
  if (code === CUT_BY_SERVICE) return 503;
  if (code?.startsWith('HPE_') && code !== 'HPE_INVALID_EOF_STATE') return 400;
  return 499;
}

/** Responses that finished while their connection could still carry them. */
const delivered = new WeakSet<ServerResponse>();

/**
 * Notes a response that finishes while its connection can still carry it.
 * `res.writableFinished` is not that: it is also true when the answer was
 * written after the connection was gone, since a destroyed socket has nothing
 * left to write. That is what happens when a client closes its sending side
 * (FIN) after a whole request: Node ends the connection at once
 * (httpAllowHalfOpen is false), and the answer reaches no one.
 * Prepended, so that it runs before Node's own 'finish' listener, which ends
 * the connection itself after a `Connection: close` answer.
 */
function watchDelivery(res: ServerResponse, socket: Socket): void {
  res.prependOnceListener('finish', () => {
    if (!socket.writableEnded && !socket.destroyed) delivered.add(res);
  });
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
 * and the status it really ended with (see sentStatus), and logs one line. Both request paths, Express and the lean prediction
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
  watchDelivery(res, req.socket);
  res.once('close', () => {
    metrics.httpInFlight.dec();
    const seconds = (performance.now() - started) / 1000;
    const template = route();
    const method = req.method ?? 'UNKNOWN';
    const status = sentStatus(res, req.socket);
    metrics.httpDuration.observe([methodLabel(method), template, String(status)], seconds);
    if (!QUIET_ROUTES.has(template) && logger.isLevelEnabled('info')) {
      logger.info(
        {
          req_id: requestId,
          method,
          route: template,
          status,
          ms: Math.round(seconds * 1e4) / 10,
        },
        'request',
      );
    }
  });
}
