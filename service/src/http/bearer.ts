import { createHash, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import { HttpError } from './errors.ts';

/**
 * Whether an Authorization header carries `Bearer <token>`. Both sides are
 * hashed first, so the comparison takes the same time whatever the lengths.
 */
export function bearerMatches(header: string | undefined, token: string): boolean {
  const presented = /^Bearer (.+)$/i.exec(header ?? '')?.[1] ?? '';
  const a = createHash('sha256').update(presented).digest();
  const b = createHash('sha256').update(token).digest();
  return timingSafeEqual(a, b) && presented.length > 0;
}

/**
 * Lets a request through a route guarded by `token` (from `variable` or its
 * `_FILE`), or throws: 404 when no token is configured (the route is off, and
 * the message says how to turn it on), 401 with `WWW-Authenticate: Bearer`
 * when the request does not carry it.
 */
export function requireBearer(
  req: Request,
  res: Response,
  token: string | undefined,
  what: string,
  variable: string,
): void {
  if (token === undefined)
    throw new HttpError(
      404,
      `${what} over HTTP is disabled: set ${variable} or ${variable}_FILE to enable it`,
    );
  if (!bearerMatches(req.get('authorization'), token)) {
    res.setHeader('www-authenticate', 'Bearer');
    throw new HttpError(401, 'a valid bearer token is required');
  }
}
