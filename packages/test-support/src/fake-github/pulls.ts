import type { components } from '@octokit/openapi-types';
import { fail, notFound, send, type Exchange, type Route } from './http.ts';
import type { FakePull } from './state.ts';

type PullJson = Pick<
  components['schemas']['pull-request'],
  'number' | 'title' | 'body' | 'state' | 'html_url'
> & { head: string; base: string };

const pullJson = (x: Exchange, p: FakePull): PullJson => ({
  ...p,
  html_url: `https://github.com/${x.repo.owner}/${x.repo.repo}/pull/${p.number}`,
});

/** Pull requests: list by state, head and base; create (one open per head and base); update. */
export const pullRoutes: Route[] = [
  {
    method: 'GET',
    path: /^\/pulls$/,
    handle(x) {
      const q = x.url.searchParams;
      const head = q.get('head')?.split(':')[1];
      const list = x.state.pulls.filter(
        (p) =>
          p.state === (q.get('state') ?? 'open') &&
          (head === undefined || p.head === head) &&
          (!q.get('base') || p.base === q.get('base')),
      );
      send(
        x.res,
        200,
        list.map((p) => pullJson(x, p)),
      );
    },
  },
  {
    method: 'POST',
    path: /^\/pulls$/,
    handle(x) {
      const create = x.body as { title: string; head: string; base: string; body: string };
      const open = x.state.pulls.some(
        (p) => p.state === 'open' && p.head === create.head && p.base === create.base,
      );
      if (open) return fail(x.res, 422, `A pull request already exists for ${create.head}.`);
      const pull: FakePull = { number: x.state.nextId(), state: 'open', ...create };
      x.state.pulls.push(pull);
      send(x.res, 201, pullJson(x, pull));
    },
  },
  {
    method: 'PATCH',
    path: /^\/pulls\/(\d+)$/,
    handle(x, m) {
      const pull = x.state.pulls.find((p) => p.number === Number(m[1]));
      if (!pull) return notFound(x.res);
      Object.assign(pull, x.body as object);
      send(x.res, 200, pullJson(x, pull));
    },
  },
];
