import type { components } from '@octokit/openapi-types';
import { fail, notFound, pageWrapped, send, type Exchange, type Route } from './http.ts';
import type { FakeEnvironment, FakeRunner } from './state.ts';

type Schemas = components['schemas'];

/** GitHub's timestamps; the fake's never change, and nothing reads them. */
const STAMP = '2026-01-01T00:00:00Z';

/** An environment as GET /environments lists it: a required_reviewers rule only when it has reviewers. */
function environmentJson(x: Exchange, e: FakeEnvironment, id: number): Schemas['environment'] {
  const base = `repos/${x.repo.owner}/${x.repo.repo}`;
  return {
    id,
    node_id: `EN_${id}`,
    name: e.name,
    url: `${x.origin}/${base}/environments/${e.name}`,
    html_url: `https://github.com/${base}/deployments/activity_log?environments_filter=${e.name}`,
    created_at: STAMP,
    updated_at: STAMP,
    protection_rules:
      e.reviewers.length === 0
        ? []
        : [
            {
              id: id + 1,
              node_id: `GA_${id}`,
              type: 'required_reviewers',
              prevent_self_review: false,
              reviewers: e.reviewers.map((login) => ({
                type: 'User' as const,
                reviewer: { login } as Schemas['simple-user'],
              })),
            },
          ],
  };
}

const secretJson = (name: string): Schemas['actions-secret'] => ({
  name,
  created_at: STAMP,
  updated_at: STAMP,
});

const variablesJson = (variables: Record<string, string>): Schemas['actions-variable'][] =>
  Object.entries(variables).map(([name, value]) => ({
    name,
    value,
    created_at: STAMP,
    updated_at: STAMP,
  }));

/** The read-only labels GitHub gives every self-hosted runner, then its custom ones. */
const runnerJson = (r: FakeRunner, id: number): Schemas['runner'] => ({
  id,
  name: r.name,
  os: 'Linux',
  status: r.status,
  busy: false,
  labels: [
    ...['self-hosted', 'Linux', 'X64'].map((name) => ({ name, type: 'read-only' as const })),
    ...r.labels.map((name) => ({ name, type: 'custom' as const })),
  ],
  version: r.version ?? null,
});

/** A route that answers 403 when the test made its path forbidden (a token without the permission). */
function guarded(method: string, path: RegExp, handle: Route['handle']): Route {
  return {
    method,
    path,
    handle(x, m) {
      if (x.state.settings.forbidden.some((p) => m[0] === p))
        return fail(x.res, 403, 'Resource not accessible by personal access token');
      handle(x, m);
    },
  };
}

const environmentNamed = (x: Exchange, name: string | undefined) =>
  x.state.settings.environments.find((e) => e.name === name);

/**
 * The settings a fork makes by hand, read-only (the repository itself,
 * private or not, is git.ts's GET): its environments with their reviewers, secrets and variables (repository,
 * organization and environment), the Actions workflow permissions and the
 * self-hosted runners. Each answers as the REST API does, lists wrapped in
 * `{ total_count, ... }` and paged.
 */
export const settingsRoutes: Route[] = [
  guarded('GET', /^\/environments$/, (x) =>
    pageWrapped(
      x,
      'environments',
      x.state.settings.environments.map((e, i) => environmentJson(x, e, 100 + 10 * i)),
    ),
  ),
  guarded('GET', /^\/environments\/([^/]+)\/secrets$/, (x, m) => {
    const environment = environmentNamed(x, m[1]);
    if (!environment) return notFound(x.res);
    pageWrapped(x, 'secrets', environment.secrets.map(secretJson));
  }),
  guarded('GET', /^\/environments\/([^/]+)\/variables$/, (x, m) => {
    const environment = environmentNamed(x, m[1]);
    if (!environment) return notFound(x.res);
    pageWrapped(x, 'variables', variablesJson(environment.variables));
  }),
  guarded('GET', /^\/actions\/secrets$/, (x) =>
    pageWrapped(x, 'secrets', x.state.settings.secrets.map(secretJson)),
  ),
  guarded('GET', /^\/actions\/variables$/, (x) =>
    pageWrapped(x, 'variables', variablesJson(x.state.settings.variables)),
  ),
  guarded('GET', /^\/actions\/organization-secrets$/, (x) =>
    pageWrapped(x, 'secrets', x.state.settings.orgSecrets.map(secretJson)),
  ),
  guarded('GET', /^\/actions\/organization-variables$/, (x) =>
    pageWrapped(x, 'variables', variablesJson(x.state.settings.orgVariables)),
  ),
  guarded('GET', /^\/actions\/permissions\/workflow$/, (x) => {
    const body: Schemas['actions-get-default-workflow-permissions'] = {
      default_workflow_permissions: 'read',
      can_approve_pull_request_reviews: x.state.settings.canApprovePullRequests,
    };
    send(x.res, 200, body);
  }),
  guarded('GET', /^\/actions\/runners$/, (x) =>
    pageWrapped(
      x,
      'runners',
      x.state.settings.runners.map((r, i) => runnerJson(r, 1 + i)),
    ),
  ),
];
