import { GitHubApiError } from '@housing/core/errors';
import { missing, none, ok, warn, type Check, type Section } from './check.ts';
import type { Target } from './github.ts';
import {
  atLeast,
  ENVIRONMENTS,
  MIN_RUNNER_VERSION,
  REVIEWED_ENVIRONMENT,
  SECRETS,
  VARIABLES,
} from './requirements.ts';
import type { Environment, Read, Snapshot } from './snapshot.ts';

/** The settings pages and `gh` commands the fixes name, for one repository. */
function places(t: Target) {
  const repo = `${t.owner}/${t.repo}`;
  const settings = `${t.webUrl}/${repo}/settings`;
  return {
    repo,
    environments: `${settings}/environments`,
    actions: `${settings}/actions`,
    runnersNew: `${settings}/actions/runners/new`,
    secrets: `${settings}/secrets/actions`,
    setVariable: (name: string, example: string) =>
      `gh variable set ${name} --repo ${repo} --body '${example}'`,
    setSecret: (name: string) => `gh secret set ${name} --repo ${repo}`,
  };
}

/** A read the token was refused, as a missing check naming the permission it needs. */
function refused(what: string, error: GitHubApiError, permission: string): Check {
  return missing(
    what,
    `cannot read it: GitHub answered ${error.status} to ${error.method} ${error.path}`,
    `use a token with ${permission} (a fine-grained token on this repository, or \`gh auth token\` of an admin)`,
  );
}

/** The jobs without `environment:` that read the data remote's settings, and the App's. */
const DATA_JOBS = 'the data jobs of pr.yml and ct.yml';
const APP_JOBS = "ct.yml's release job and image.yml's job";

/** Where a repository-level name is set only in environments, which jobs without `environment:` do not see. */
function onlyIn(
  environments: Read<Environment[]>,
  name: string,
  kind: 'secrets' | 'variables',
  readers = DATA_JOBS,
) {
  if (environments instanceof GitHubApiError) return '';
  const where = environments
    .filter((e) => (kind === 'secrets' ? e.secrets.has(name) : e.variables.has(name)))
    .map((e) => e.name);
  return where.length === 0
    ? ''
    : `; it is set only in environment ${where.join(', ')}, which ${readers} cannot read: set it on the repository`;
}

function environmentChecks(s: Snapshot, t: Target): Section {
  const p = places(t);
  if (s.environments instanceof GitHubApiError)
    return {
      title: 'environments',
      checks: [refused('environments', s.environments, 'Environments: read')],
    };
  const environments = s.environments;
  const checks = ENVIRONMENTS.map((name): Check => {
    const found = environments.find((e) => e.name === name);
    const reviewed = name === REVIEWED_ENVIRONMENT;
    const reviewersFix = `${p.environments} → ${name} → Required reviewers${
      s.private
        ? ' (this repository is private: required reviewers need GitHub Pro, Team or Enterprise there; on GitHub Free only public repositories have them)'
        : ''
    }`;
    if (!found)
      return missing(
        `environment ${name}`,
        'does not exist',
        `gh api -X PUT repos/${p.repo}/environments/${name}${reviewed ? `, then ${reviewersFix}` : ''}`,
      );
    if (!reviewed) return ok(`environment ${name}`);
    return found.reviewers > 0
      ? ok(`environment ${name}`, `${found.reviewers} required reviewer(s)`)
      : missing(
          `environment ${name}`,
          'has no required reviewers: a merged promotion would deploy unreviewed',
          reviewersFix,
        );
  });
  return { title: 'environments', checks };
}

function promotionChecks(s: Snapshot, t: Target): Section {
  const p = places(t);
  const title = 'promotion pull requests';
  if (s.variables instanceof GitHubApiError)
    return {
      title,
      checks: [refused(`variable ${VARIABLES.appId}`, s.variables, 'Variables: read')],
    };
  if (s.variables.has(VARIABLES.appId)) {
    const checks = [ok(`variable ${VARIABLES.appId}`, 'a GitHub App opens them')];
    if (s.secrets instanceof GitHubApiError)
      checks.push(refused(`secret ${SECRETS.appKey}`, s.secrets, 'Secrets: read'));
    else if (s.secrets.has(SECRETS.appKey)) checks.push(ok(`secret ${SECRETS.appKey}`));
    else
      checks.push(
        missing(
          `secret ${SECRETS.appKey}`,
          `${VARIABLES.appId} is set, so the workflows make an App token with this key${onlyIn(s.environments, SECRETS.appKey, 'secrets', APP_JOBS)}`,
          `${p.setSecret(SECRETS.appKey)} < your-app.private-key.pem`,
        ),
      );
    return { title, checks };
  }
  const what = 'Actions may create pull requests';
  if (s.canApprovePullRequests instanceof GitHubApiError)
    return { title, checks: [refused(what, s.canApprovePullRequests, 'Administration: read')] };
  return {
    title,
    checks: [
      s.canApprovePullRequests
        ? ok(what, `with GITHUB_TOKEN (no ${VARIABLES.appId} variable)`)
        : missing(
            what,
            `no ${VARIABLES.appId} variable, and GITHUB_TOKEN may not open the promotion pull requests`,
            `${p.actions} → Workflow permissions → "Allow GitHub Actions to create and approve pull requests", or gh api -X PUT repos/${p.repo}/actions/permissions/workflow -F can_approve_pull_request_reviews=true; or a GitHub App: the variable ${VARIABLES.appId} and the secret ${SECRETS.appKey}`,
          ),
    ],
  };
}

/** The credentials the workflows pass for the remote's kind. */
function credentialChecks(
  url: string,
  variables: Map<string, string>,
  secrets: Read<Set<string>>,
  s: Snapshot,
  t: Target,
): Check[] {
  const p = places(t);
  const secret = (name: string, required: boolean, why: string): Check => {
    if (secrets instanceof GitHubApiError)
      return refused(`secret ${name}`, secrets, 'Secrets: read');
    if (secrets.has(name)) return ok(`secret ${name}`);
    return required
      ? missing(
          `secret ${name}`,
          `${why}${onlyIn(s.environments, name, 'secrets')}`,
          p.setSecret(name),
        )
      : none(`secret ${name}`, why);
  };
  if (/^s3:\/\//i.test(url)) {
    if (variables.has(VARIABLES.awsRole))
      return [
        ok(`variable ${VARIABLES.awsRole}`, 'the data jobs assume it by OIDC'),
        variables.has(VARIABLES.awsRegion)
          ? ok(`variable ${VARIABLES.awsRegion}`)
          : none(`variable ${VARIABLES.awsRegion}`, 'unset: us-east-1'),
      ];
    const why = `an s3:// remote needs keys, or the variable ${VARIABLES.awsRole} for OIDC`;
    return [secret(SECRETS.awsKeyId, true, why), secret(SECRETS.awsSecret, true, why)];
  }
  if (/^https?:\/\//i.test(url))
    return [
      secret(SECRETS.httpUser, false, 'unset: needed only if the remote asks for a login'),
      secret(SECRETS.httpPassword, false, 'unset: needed only if the remote asks for a login'),
      variables.has(VARIABLES.httpAuthHeader)
        ? ok(`variable ${VARIABLES.httpAuthHeader}`)
        : none(`variable ${VARIABLES.httpAuthHeader}`, 'unset: basic auth, if any'),
    ];
  if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(url))
    return [none('remote credentials', 'a folder on the runner: none needed')];
  return [
    warn(
      'remote credentials',
      `the workflows pass only AWS_* and DVC_HTTP_* credentials; a ${url.split(':')[0]} remote needs its own in the pull-data step's environment`,
    ),
  ];
}

function dataChecks(s: Snapshot, t: Target): Section {
  const p = places(t);
  const title = 'data remote (variables and secrets)';
  if (s.variables instanceof GitHubApiError)
    return { title, checks: [refused('variables', s.variables, 'Variables: read')] };
  const url = s.variables.get(VARIABLES.remoteUrl);
  if (url === undefined)
    return {
      title,
      checks: [
        missing(
          `variable ${VARIABLES.remoteUrl}`,
          `unset: the committed .dvc/config names a folder only this repository's own CI machine has${onlyIn(s.environments, VARIABLES.remoteUrl, 'variables')}`,
          p.setVariable(VARIABLES.remoteUrl, 's3://<bucket>/<prefix>'),
        ),
      ],
    };
  const endpoint = s.variables.get(VARIABLES.remoteEndpoint);
  return {
    title,
    checks: [
      ok(`variable ${VARIABLES.remoteUrl}`, url),
      endpoint === undefined
        ? none(
            `variable ${VARIABLES.remoteEndpoint}`,
            'unset: AWS S3 itself, or not an s3:// remote',
          )
        : ok(`variable ${VARIABLES.remoteEndpoint}`, endpoint),
      ...credentialChecks(url, s.variables, s.secrets, s, t),
    ],
  };
}

function runnerChecks(s: Snapshot, t: Target): Section {
  const p = places(t);
  const title = 'self-hosted runners';
  if (s.runners instanceof GitHubApiError)
    return { title, checks: [refused('runners', s.runners, 'Administration: read')] };
  const runners = s.runners;
  const register = (label: string) =>
    `${p.runnersNew}, then ./config.sh --url ${t.webUrl}/${p.repo} --token <token> --labels ${label} (actions/runner ${MIN_RUNNER_VERSION} or later)`;
  const checks = ENVIRONMENTS.map((label): Check => {
    const what = `runner [self-hosted, ${label}]`;
    const labelled = runners.filter(
      (r) => r.labels.includes('self-hosted') && r.labels.includes(label),
    );
    if (labelled.length === 0)
      return missing(
        what,
        "none registered: deploy.yml's job would wait for one forever",
        register(label),
      );
    const online = labelled.filter((r) => r.status === 'online');
    if (online.length === 0)
      return missing(
        what,
        `${labelled.map((r) => r.name).join(', ')} registered but offline`,
        'start it on its host: sudo ./svc.sh start (or ./run.sh) in the runner folder',
      );
    const current = online.filter(
      (r) => r.version !== null && atLeast(r.version, MIN_RUNNER_VERSION),
    );
    if (current.length > 0)
      return ok(what, current.map((r) => `${r.name} (online, v${r.version})`).join(', '));
    const old = online.filter((r) => r.version !== null);
    if (old.length > 0)
      return missing(
        what,
        `${old.map((r) => `${r.name} is v${r.version}`).join(', ')}: node24 actions need actions/runner ${MIN_RUNNER_VERSION} or later`,
        'update the runner (it updates itself unless configured with --disableupdate), or register a new one: ' +
          register(label),
      );
    return warn(
      what,
      `${online.map((r) => r.name).join(', ')} online, version unknown: it must be actions/runner ${MIN_RUNNER_VERSION} or later`,
    );
  });
  return { title, checks };
}

/** Every check of the repository's settings, in the order README.md "Run it on your GitHub" sets them. */
export function settingsSections(s: Snapshot, t: Target): Section[] {
  return [environmentChecks(s, t), promotionChecks(s, t), dataChecks(s, t), runnerChecks(s, t)];
}
