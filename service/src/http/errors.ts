import type { ServerResponse } from 'node:http';
import type { Logger as Pino } from 'pino';
import { sendJson } from './respond.ts';

/** One field-level problem, named by its JSON path. */
export interface FieldProblem {
  path: string;
  message: string;
}

/** An error with an HTTP status and, for validation, per-field details. */
export class HttpError extends Error {
  constructor(
    readonly status: number,
    message: string,
    readonly details?: FieldProblem[],
  ) {
    super(message);
  }
}

/**
 * Maps anything thrown on a request path to an HttpError: ours as they are,
 * other 4xx (Express's static files) by status, and everything else to a
 * bare 500 whose message reveals nothing.
 */
function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const e = error as { status?: number; message?: string };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
    return new HttpError(e.status, e.message ?? 'bad request');
  return new HttpError(500, 'internal error');
}

/**
 * Answers with the error as JSON, with the request id, never a stack trace;
 * a 5xx is logged with its cause, which the client never sees.
 */
export function sendError(
  res: ServerResponse,
  error: unknown,
  requestId: string,
  logger: Pino,
): void {
  const { status, message, details } = toHttpError(error);
  if (status >= 500) logger.error({ req_id: requestId, err: error }, 'request failed');
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, status, { error: message, request_id: requestId, ...(details ? { details } : {}) });
}
