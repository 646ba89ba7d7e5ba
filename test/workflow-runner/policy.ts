/**
 * What a job may do, as GitHub enforces it and README.md documents it:
 * the permissions each step needs against the job's `permissions:` (a fork's
 * pull request gets read-only scopes and no OIDC token), the concurrency
 * queues that deploys and staging promotions must share, and the environment
 * names "Run it on your GitHub" tells a fork to create.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from '@housing/test-support/root';

/** A permission's level; `write` includes `read`. */
export type Level = 'none' | 'read' | 'write';

const RANK: Record<Level, number> = { none: 0, read: 1, write: 2 };

/** A job's token scopes, by permission name. */
export type Permissions = Record<string, Level>;

/** Every scope GitHub's `write-all` grants (the ones these workflows can name). */
const SCOPES = [
  'actions',
  'attestations',
  'checks',
  'contents',
  'deployments',
  'id-token',
  'issues',
  'packages',
  'pull-requests',
  'statuses',
];

/**
 * A job's `permissions:` (its own, else the workflow's) as scopes; undefined
 * in both is refused, since every workflow here starts with `permissions: {}`.
 * In a pull request from a fork GitHub downgrades every write to read and
 * gives no OIDC token, whatever the file says.
 */
export function jobPermissions(declared: unknown, where: string, fromFork: boolean): Permissions {
  if (declared === undefined)
    throw new Error(`${where}: no permissions: (the job would get the repository's default)`);
  const all = (level: Level) => Object.fromEntries(SCOPES.map((s) => [s, level]));
  const scopes: Permissions =
    declared === 'read-all'
      ? all('read')
      : declared === 'write-all'
        ? all('write')
        : { ...(declared as Permissions) };
  if (!fromFork) return scopes;
  return Object.fromEntries(
    Object.entries(scopes).map(([k, v]) => [
      k,
      k === 'id-token' ? 'none' : v === 'write' ? 'read' : v,
    ]),
  );
}

/**
 * The scopes a step needs, by what it uses (GitHub's documentation of each
 * action and endpoint): `inputs` are its evaluated `with:`, `token` the job's
 * GITHUB_TOKEN (a step given another token, a GitHub App's, needs nothing of
 * the job's). A use not listed needs none.
 */
export function permissionsNeeded(
  uses: string,
  inputs: Record<string, string>,
  token: string,
): Permissions {
  const withJobToken = (inputs['github-token'] ?? token) === token;
  switch (uses.replace(/@.*$/, '')) {
    case 'actions/checkout':
      return { contents: 'read' };
    case 'actions/attest-build-provenance':
      // Sigstore's certificate comes from the OIDC token; the bundle is stored by the API.
      return {
        'id-token': 'write',
        attestations: 'write',
        ...(inputs['push-to-registry'] === 'true' ? { packages: 'write' } : {}),
      };
    case 'aws-actions/configure-aws-credentials':
      return { 'id-token': 'write' };
    case './actions/publish-model':
      return { contents: 'write' };
    case './actions/promote':
      return withJobToken ? { contents: 'write', 'pull-requests': 'write' } : {};
    case './actions/tag-image':
      return inputs.push === 'true' ? { packages: 'write' } : {};
    case './actions/metric-gate':
      return inputs.comment === 'true'
        ? { contents: 'read', 'pull-requests': 'write' }
        : { contents: 'read' };
    case './actions/production-model':
    case './actions/validate-data':
      return { contents: 'read' };
    case './actions/deploy':
      return { packages: 'read', attestations: 'read' };
    default:
      return {};
  }
}

/** The scopes `needed` asks for that `granted` lacks, as `scope: level` (empty when none). */
export function missingPermissions(needed: Permissions, granted: Permissions): string[] {
  return Object.entries(needed)
    .filter(([scope, level]) => RANK[granted[scope] ?? 'none'] < RANK[level])
    .map(([scope, level]) => `${scope}: ${level}`);
}

/** README.md's section, from its heading to the next `## `. */
function readmeSection(readme: string, heading: string): string {
  const start = readme.indexOf(`\n## ${heading}\n`);
  if (start < 0) throw new Error(`README.md has no section "${heading}"`);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end < 0 ? undefined : end);
}

/** What README "Run it on your GitHub" tells a fork: its environments and the shared queues. */
export interface Documented {
  environments: string[];
  /** The concurrency group of each environment's deploy job (`deploy-<environment>`). */
  deployQueue: (environment: string) => string;
  /** The one group every job that promotes to staging joins. */
  stagingPromotionQueue: string;
}

/** Reads what README.md documents (the walk fails on a job outside it). */
export function documented(readme = readFileSync(join(ROOT, 'README.md'), 'utf8')): Documented {
  // Prose wraps anywhere: one space for every run of white space.
  const section = readmeSection(readme, 'Run it on your GitHub').replace(/\s+/g, ' ');
  const envs =
    /\*\*Environments\*\* \(Settings → Environments\): ((?:`[a-z-]+`(?:, | and )?)+)/.exec(section);
  const deploy = /each deploy job queues in `([a-z-]+)<environment>`/.exec(section);
  const promote = /share the queue `([a-z-]+)`/.exec(section);
  if (!envs || !deploy || !promote)
    throw new Error(
      'README.md "Run it on your GitHub" no longer names the environments (**Environments** (Settings → Environments): `a` and `b`) and the queues (each deploy job queues in `deploy-<environment>`; ... share the queue `promote-staging`)',
    );
  return {
    environments: [...envs[1]!.matchAll(/`([a-z-]+)`/g)].map((m) => m[1]!),
    deployQueue: (environment) => `${deploy[1]}${environment}`,
    stagingPromotionQueue: promote[1]!,
  };
}

/** A job's evaluated environment and concurrency, and whether it promotes to staging. */
export interface JobPolicyFacts {
  environment?: string;
  group?: string;
  cancelInProgress?: boolean;
  promotesToStaging: boolean;
}

/** Why a job breaks the documented setup, or null. */
export function policyViolation(facts: JobPolicyFacts, docs: Documented): string | null {
  const queue = (expected: string) =>
    facts.group !== expected
      ? `concurrency group "${facts.group ?? '(none)'}" is not the documented queue "${expected}"`
      : facts.cancelInProgress !== false
        ? `concurrency group "${expected}" must not cancel in progress (a deploy or promotion cut short)`
        : null;
  if (facts.environment !== undefined) {
    if (!docs.environments.includes(facts.environment))
      return `environment "${facts.environment}" is not one README "Run it on your GitHub" lists (${docs.environments.join(', ')})`;
    return queue(docs.deployQueue(facts.environment));
  }
  if (facts.promotesToStaging) return queue(docs.stagingPromotionQueue);
  return null;
}
