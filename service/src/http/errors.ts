import type { ServerResponse } from 'node:http';
import type { Logger as Pino } from 'pino';
import { HttpBodyError } from '@housing/core/http-body';
import { sendJson } from './respond.ts';

/** One field-level problem, named by its JSON path. */
export interface FieldProblem {
  path: string;
  message: string;
}

/**
 * The most field problems one error answer lists, on every route: a bad
 * 1,000-row batch stays readable, and a body of 100,000 unknown keys gets an
 * answer no larger than a good batch's.
 */
export const MAX_DETAILS = 100;
/**
 * The longest path a detail shows, in characters. A path holds the client's
 * key names, and one key may be as long as the body.
 */
export const MAX_PATH_CHARS = 200;

/** An error with an HTTP status and, for validation, per-field details. */
export class HttpError extends Error {
  readonly details?: FieldProblem[];

  /** Details beyond MAX_DETAILS, and the end of paths beyond MAX_PATH_CHARS, are dropped. */
  constructor(
    readonly status: number,
    message: string,
    details?: FieldProblem[],
  ) {
    super(message);
    if (details) this.details = details.slice(0, MAX_DETAILS).map(capPath);
  }
}

function capPath(problem: FieldProblem): FieldProblem {
  return problem.path.length <= MAX_PATH_CHARS
    ? problem
    : { ...problem, path: `${problem.path.slice(0, MAX_PATH_CHARS)}…` };
}

/**
 * Collects field problems up to MAX_DETAILS. A checker asks `add` and stops
 * looking once it answers false, so a body with 100,000 problems costs the
 * work of 101 of them, not of all.
 */
export class ProblemList {
  private readonly problems: FieldProblem[] = [];
  private more = false;

  /** Records a problem; false once the list is full (this one was not kept). */
  add(path: string, message: string): boolean {
    if (this.problems.length >= MAX_DETAILS) {
      this.more = true;
      return false;
    }
    this.problems.push(capPath({ path, message }));
    return true;
  }

  /** True once a problem beyond MAX_DETAILS was seen: looking further changes nothing. */
  get full(): boolean {
    return this.more;
  }

  get empty(): boolean {
    return this.problems.length === 0;
  }

  /** A 400 with the problems, whose message says when there were more than it lists. */
  toError(message: string): HttpError {
    const suffix = this.more ? ` (the first ${MAX_DETAILS} problems; there are more)` : '';
    return new HttpError(400, `${message}${suffix}`, this.problems);
  }
}

/**
 * Maps anything thrown on a request path to an HttpError: ours as they are,
 * a refused body with its status and details,
 * other 4xx (Express's static files) by status, and everything else to a
 * bare 500 whose message reveals nothing.
 */
function toHttpError(error: unknown): HttpError {
  if (error instanceof HttpError) return error;
  // A body refused by the shared reader: its status and details, capped as ours are.
  if (error instanceof HttpBodyError)
    return new HttpError(error.status, error.message, error.details);
  const e = error as { status?: number; message?: string };
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500)
    return new HttpError(e.status, e.message ?? 'bad request');
  return new HttpError(500, 'internal error');
}

/**
 * Answers with the error as JSON, with the request id, never a stack trace.
 * An unexpected error (a 500) is logged with its cause and stack, which the
 * client never sees; a 5xx the service answers on purpose (503 while no model
 * is loaded) is a state, not a bug, and is logged as a warning without a stack.
 */
export function sendError(
  res: ServerResponse,
  error: unknown,
  requestId: string,
  logger: Pino,
): void {
  const { status, message, details } = toHttpError(error);
  if (status >= 500 && error instanceof HttpError)
    logger.warn({ req_id: requestId, status, reason: message }, 'request refused');
  else if (status >= 500) logger.error({ req_id: requestId, err: error }, 'request failed');
  if (res.headersSent) {
    res.end();
    return;
  }
  sendJson(res, status, { error: message, request_id: requestId, ...(details ? { details } : {}) });
}
