import type { ServerResponse } from 'node:http';
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
 * body-parser's by their `type`, other 4xx by status, and everything else to
 * a bare 500 whose message reveals nothing.
 */
export function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  const e = error as { type?: string; status?: number; message?: string; limit?: number };
  if (e?.type === 'entity.parse.failed')
    return new HttpError(400, `malformed JSON: ${e.message ?? 'cannot parse the body'}`);
  if (e?.type === 'entity.too.large')
    return new HttpError(413, `the body is larger than the limit of ${e.limit} bytes`);
  if (e?.type === 'encoding.unsupported' || e?.type === 'charset.unsupported')
    return new HttpError(415, e.message ?? 'unsupported encoding');
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
    return new HttpError(e.status, e.message ?? 'bad request');
  return new HttpError(500, 'internal error');
}

/**
 * Answers with the error as JSON, with the request id, never a stack trace.
 * Returns the HttpError, so the caller can log a 5xx with its cause.
 */
export function sendError(res: ServerResponse, error: unknown, requestId: string): HttpError {
  const httpError = toHttpError(error);
  const { status, message, details } = httpError;
  if (res.headersSent) {
    res.end();
    return httpError;
  }
  sendJson(res, status, { error: message, request_id: requestId, ...(details ? { details } : {}) });
  return httpError;
}
