import type { GitHubApiError } from '@housing/core/errors';
import { readable, type GitHub, type Target } from './github.ts';

/** What a read gave: the value, or GitHub's refusal (403/404) to report. */
export type Read<T> = T | GitHubApiError;

/** An environment, with its required reviewers and its own secrets and variables. */
export interface Environment {
  name: string;
  /** How many people or teams may approve; 0 when it has no required_reviewers rule. */
  reviewers: number;
  secrets: Set<string>;
  variables: Map<string, string>;
}

/** A self-hosted runner: its status, every label, and its version when it has connected. */
export interface Runner {
  name: string;
  status: string;
  labels: string[];
  version: string | null;
}

/** Everything the checks read from GitHub, read once. */
export interface Snapshot {
  private: boolean;
  environments: Read<Environment[]>;
  /** Repository and organization variables the workflows can read, by name, with their values. */
  variables: Read<Map<string, string>>;
  /** Repository and organization secrets, by name. */
  secrets: Read<Set<string>>;
  canApprovePullRequests: Read<boolean>;
  runners: Read<Runner[]>;
}

type Repo = { owner: string; repo: string };

/** Organization secrets or variables shared with the repository; none when there is no organization or no right to see them. */
async function orgNames<T>(read: () => Promise<T[]>): Promise<T[]> {
  const got = await readable(read);
  return Array.isArray(got) ? got : [];
}

async function readVariables(gh: GitHub, r: Repo): Promise<Map<string, string>> {
  const repo = await gh.paginate('GET /repos/{owner}/{repo}/actions/variables', {
    ...r,
    per_page: 30,
  });
  const org = await orgNames(() =>
    gh.paginate('GET /repos/{owner}/{repo}/actions/organization-variables', {
      ...r,
      per_page: 30,
    }),
  );
  // A repository variable wins over an organization's of the same name, as in a workflow.
  return new Map([...org, ...repo].map((v) => [v.name, v.value]));
}

async function readSecrets(gh: GitHub, r: Repo): Promise<Set<string>> {
  const repo = await gh.paginate('GET /repos/{owner}/{repo}/actions/secrets', {
    ...r,
    per_page: 100,
  });
  const org = await orgNames(() =>
    gh.paginate('GET /repos/{owner}/{repo}/actions/organization-secrets', {
      ...r,
      per_page: 100,
    }),
  );
  return new Set([...org, ...repo].map((s) => s.name));
}

async function readEnvironments(gh: GitHub, r: Repo): Promise<Environment[]> {
  const listed = await gh.paginate('GET /repos/{owner}/{repo}/environments', {
    ...r,
    per_page: 100,
  });
  const environments: Environment[] = [];
  for (const e of listed) {
    const at = { ...r, environment_name: e.name, per_page: 30 };
    // Environment secrets and variables only explain a repository one that is missing.
    const secrets = await readable(() =>
      gh.paginate('GET /repos/{owner}/{repo}/environments/{environment_name}/secrets', at),
    );
    const variables = await readable(() =>
      gh.paginate('GET /repos/{owner}/{repo}/environments/{environment_name}/variables', at),
    );
    const reviewers = (e.protection_rules ?? [])
      .filter((rule) => rule.type === 'required_reviewers')
      .reduce((n, rule) => n + ('reviewers' in rule ? (rule.reviewers?.length ?? 0) : 0), 0);
    environments.push({
      name: e.name,
      reviewers,
      secrets: new Set(Array.isArray(secrets) ? secrets.map((s) => s.name) : []),
      variables: new Map(Array.isArray(variables) ? variables.map((v) => [v.name, v.value]) : []),
    });
  }
  return environments;
}

async function readRunners(gh: GitHub, r: Repo): Promise<Runner[]> {
  const runners = await gh.paginate('GET /repos/{owner}/{repo}/actions/runners', {
    ...r,
    per_page: 100,
  });
  return runners.map((runner) => ({
    name: runner.name,
    status: runner.status,
    labels: runner.labels.map((l) => l.name),
    // Newer OpenAPI schemas than @octokit/types' carry it; GitHub answers it once the runner connected.
    version: (runner as { version?: string | null }).version ?? null,
  }));
}

/** Reads the repository's settings; each part the token may not read is kept as its refusal. */
export async function readSnapshot(
  gh: GitHub,
  target: Target,
  access: { private: boolean },
): Promise<Snapshot> {
  const r = { owner: target.owner, repo: target.repo };
  return {
    private: access.private,
    environments: await readable(() => readEnvironments(gh, r)),
    variables: await readable(() => readVariables(gh, r)),
    secrets: await readable(() => readSecrets(gh, r)),
    canApprovePullRequests: await readable(async () => {
      const { data } = await gh.request(
        'GET /repos/{owner}/{repo}/actions/permissions/workflow',
        r,
      );
      return data.can_approve_pull_request_reviews;
    }),
    runners: await readable(() => readRunners(gh, r)),
  };
}
