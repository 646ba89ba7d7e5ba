import type { IncomingMessage, ServerResponse } from 'node:http';
import type { components } from '@octokit/openapi-types';
import type { FakeState } from './state.ts';
import { sendJson } from '@housing/core/send-json';

/** One request, read whole, as a route sees it. */
export interface Exchange {
  req: IncomingMessage;
  res: ServerResponse;
  url: URL;
  /** The request's raw body. */
  raw: Buffer;
  /** The JSON body, when the request sent one. */
  body: unknown;
  /** `owner/repo` of a /repos/{owner}/{repo}/... path. */
  repo: { owner: string; repo: string };
  /** http://host:port of this fake, for the URLs it answers with. */
  origin: string;
  state: FakeState;
}

/**
 * One endpoint. `path` matches the part after /repos/{owner}/{repo}, or the
 * whole path when `absolute` (uploads, downloads); `public` ones need no
 * token, as GitHub's storage does not.
 */
export interface Route {
  method: string;
  path: RegExp;
  absolute?: boolean;
  public?: boolean;
  handle(x: Exchange, match: RegExpExecArray): void;
}

type BasicError = components['schemas']['basic-error'];
type ValidationError = Pick<components['schemas']['validation-error'], 'message' | 'errors'>;

/** Answers JSON, as the REST API does. */
export const send = sendJson;

/** GitHub's error answer: `{ message }`, and the errors of a 422. */
export function fail(
  res: ServerResponse,
  status: number,
  message: string,
  errors?: ValidationError['errors'],
): void {
  const body: BasicError | ValidationError = errors
    ? { message, errors }
    : { message, documentation_url: 'https://docs.github.com/rest' };
  send(res, status, body);
}

/** 404 Not Found, as GitHub answers an unknown path or object. */
export const notFound = (res: ServerResponse) => fail(res, 404, 'Not Found');

/** The items of the page a request asks for, and the Link header to the next one while there is one. */
function onePage<T>(x: Exchange, items: readonly T[]) {
  const perPage = Math.min(Number(x.url.searchParams.get('per_page') ?? 30), 100);
  const pageNo = Number(x.url.searchParams.get('page') ?? 1);
  const headers: Record<string, string> = {};
  if (pageNo * perPage < items.length) {
    const next = new URL(x.url.toString());
    next.searchParams.set('page', String(pageNo + 1));
    headers.link = `<${x.origin}${next.pathname}${next.search}>; rel="next"`;
  }
  return { items: items.slice((pageNo - 1) * perPage, pageNo * perPage), headers };
}

/**
 * One page of a list, as GitHub pages it: `per_page` (30 by default, at most
 * 100) and `page`, with a Link header to the next page while there is one.
 */
export function page<T>(x: Exchange, items: readonly T[]): void {
  const { items: shown, headers } = onePage(x, items);
  send(x.res, 200, shown, headers);
}

/**
 * One page of a list GitHub wraps in an object, `{ total_count, <key>: [...] }`
 * (secrets, variables, runners, environments), paged as {@link page} pages.
 */
export function pageWrapped<T>(x: Exchange, key: string, items: readonly T[]): void {
  const { items: shown, headers } = onePage(x, items);
  send(x.res, 200, { total_count: items.length, [key]: shown }, headers);
}
