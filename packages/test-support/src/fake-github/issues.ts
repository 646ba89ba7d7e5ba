import type { components } from '@octokit/openapi-types';
import { notFound, page, send, type Route } from './http.ts';
import type { FakeComment } from './state.ts';

/** A comment as the REST API answers it: the fields the actions read. */
type CommentJson = Pick<components['schemas']['issue-comment'], 'id' | 'body'> & {
  user: { login: string };
};

const commentJson = (c: FakeComment): CommentJson => c;

/** Issue and pull request comments: list (paged), create, update. */
export const issueRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/issues\/(\d+)\/comments$/,
    handle: (x, m) => page(x, (x.state.comments.get(Number(m[1])) ?? []).map(commentJson)),
  },
  {
    method: 'POST',
    path: /^\/issues\/(\d+)\/comments$/,
    handle(x, m) {
      const comment: FakeComment = {
        id: x.state.nextId(),
        body: (x.body as { body: string }).body,
        user: { login: 'github-actions[bot]' },
      };
      const list = x.state.comments.get(Number(m[1])) ?? [];
      x.state.comments.set(Number(m[1]), [...list, comment]);
      send(x.res, 201, commentJson(comment));
    },
  },
  {
    method: 'PATCH',
    path: /^\/issues\/comments\/(\d+)$/,
    handle(x, m) {
      const comment = [...x.state.comments.values()].flat().find((c) => c.id === Number(m[1]));
      if (!comment) return notFound(x.res);
      comment.body = (x.body as { body: string }).body;
      send(x.res, 200, commentJson(comment));
    },
  },
];
